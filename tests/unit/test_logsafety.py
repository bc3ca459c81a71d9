"""Request logs never carry the tokens of signed links or query strings."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mso_academy.logsafety import RedactTokens, redact_path, redact_request_line

TOKEN = "IjEyMyI.ZZxq3A.kP8wq0sVj7W2mZ1Yc5tqVq9s4cU"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (f"/account/reset-password/{TOKEN}", "/account/reset-password/[redacted]"),
        (f"/account/confirm/{TOKEN}", "/account/confirm/[redacted]"),
        (f"/unsubscribe/{TOKEN}/", "/unsubscribe/[redacted]/"),
        ("/courses/?q=Mehmet+Yilmaz", "/courses/?[redacted]"),
        ("/courses/vereinsrecht-fuer-vorstaende", "/courses/vereinsrecht-fuer-vorstaende"),
        ("/learn/erste-schritte/21", "/learn/erste-schritte/21"),
    ],
)
def test_tokens_and_queries_are_redacted_page_names_kept(target: str, expected: str) -> None:
    assert redact_path(target) == expected


def test_the_request_line_keeps_method_and_protocol() -> None:
    line = f"GET /account/confirm/{TOKEN} HTTP/1.1"
    assert redact_request_line(line) == "GET /account/confirm/[redacted] HTTP/1.1"


def test_werkzeug_log_records_are_redacted() -> None:
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"%s" %s %s', (f"GET /x/{TOKEN} HTTP/1.1", "200", "-"), None
    )
    assert RedactTokens().filter(record)
    assert TOKEN not in record.getMessage()
    assert "[redacted]" in record.getMessage()


def test_the_app_installs_the_filter(app: Flask, client: FlaskClient) -> None:
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("werkzeug").filters)


def test_gunicorn_access_log_is_redacted() -> None:
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from mso_academy.serving import RedactingLogger

    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/account/reset-password/{TOKEN}?next=/x",
        "PATH_INFO": f"/account/reset-password/{TOKEN}",
        "QUERY_STRING": "next=/x",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://example.org/account/confirm/{TOKEN}",
    }
    atoms = logger.atoms(SimpleNamespace(status="200 OK", sent=10, headers=[]), {}, environ, timedelta(milliseconds=5))
    assert [key for key, value in atoms.items() if TOKEN in str(value)] == []
    assert atoms["r"] == "GET /account/reset-password/[redacted]?[redacted] HTTP/1.1"
