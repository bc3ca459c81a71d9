"""Mail goes to a real SMTP server when MSO_ACADEMY_MAIL_URL is set, else to the outbox folder; only after commit."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from mso_academy import mail
from mso_academy.accounts import services


class Collect(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_registration_mail_arrives_at_the_smtp_server(app, session, smtp_server):
    controller, handler = smtp_server
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
    with app.test_request_context():
        services.register(
            session, email="smtp@example.org", name="Smtp", password="ein sehr gutes passwort", language="en"
        )
        assert handler.messages == []  # nothing leaves before the transaction commits
        session.commit()
    [message] = handler.messages
    assert message["To"] == "smtp@example.org"
    assert message["Subject"] == "Confirm your e-mail address"
    assert "/account/confirm/" in message.get_payload()


def test_rolled_back_mail_is_never_sent(app, session, smtp_server, tmp_path):
    controller, handler = smtp_server
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
    with app.test_request_context():
        services.register(
            session, email="gone@example.org", name="Gone", password="ein sehr gutes passwort", language="en"
        )
        session.rollback()
    assert handler.messages == []


def test_outbox_folder_without_mail_url_and_no_secrets_in_the_log(app, session, caplog, outbox):
    with app.test_request_context(), caplog.at_level("INFO"):
        services.register(
            session, email="outbox@example.org", name="Out", password="ein sehr gutes passwort", language="en"
        )
        session.commit()
    [message] = outbox.messages()
    link = outbox.last_link()
    token = link.rsplit("/", 1)[1]
    assert "o***@example.org" in caplog.text
    assert token not in caplog.text and "outbox@example.org" not in caplog.text
    assert message["Subject"] == "Confirm your e-mail address"


def test_unknown_mail_url_scheme_is_refused(app):
    with pytest.raises(ValueError, match="smtp://"):
        mail._send_smtp("http://example.org", mail._message(app, mail.Mail("a@example.org", "s", "t")))
