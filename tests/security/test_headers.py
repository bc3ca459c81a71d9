"""Security headers on every response, HSTS and secure cookies in production, no inline script or style in any
template (the Content-Security-Policy has no 'unsafe-inline'), and the refusal to start unsafely in production."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mso_academy import create_app
from mso_academy.security import CONTENT_SECURITY_POLICY, InsecureConfiguration
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 24 + "-a-long-production-key-from-the-environment"
HOST = "academy.example.org"
PUBLIC = f"https://{HOST}"


def test_csp_has_no_unsafe_inline_and_locks_down_frames_objects_and_forms():
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"


@pytest.mark.parametrize("url", ["/", "/courses/", "/account/login", "/no-such-page", "/healthz", "/verify/x.json"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # not in development: it would stick to localhost


def test_cookies_are_httponly_and_samesite_lax_but_not_secure_in_development(client, session):
    user = make_user(session)
    session.commit()
    response = client.post("/account/login", data={"email": user.email, "password": "correct horse battery staple"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


class TestProduction:
    @pytest.fixture
    def app_config(self):
        return {"ENV": "production", "SECRET_KEY": STRONG_KEY, "BASE_URL": PUBLIC, "SERVER_NAME": HOST}

    def test_hsts_and_secure_cookies(self, app, client, session):
        user = make_user(session)
        session.commit()
        assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        response = client.post(
            "/account/login",
            data={"email": user.email, "password": "correct horse battery staple", "remember": "y"},
        )
        cookies = response.headers.getlist("Set-Cookie")
        session_cookie = next(c for c in cookies if c.startswith("session="))
        remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
        for cookie in (session_cookie, remember_cookie):
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        expires = re.search(r"Max-Age=(\d+)", remember_cookie)
        assert expires is None or int(expires.group(1)) <= 14 * 24 * 3600
        assert app.config["REMEMBER_COOKIE_DURATION"] <= 14 * 24 * 3600

    def test_a_forged_host_header_gets_no_reset_link_to_another_site(self, app, client, session, outbox):
        """Host header poisoning: mail links are built from the request's host, so only the public one is taken."""
        user = make_user(session)
        session.commit()
        forged = client.post("/account/forgot-password", data={"email": user.email}, headers={"Host": "evil.example"})
        assert forged.status_code == 400 and outbox.messages() == []
        assert client.post("/account/forgot-password", data={"email": user.email}).status_code == 302
        assert outbox.last_link().split("/account/")[0].endswith(HOST)


def _production(tmp_path, **config):
    return create_app(
        {
            "ENV": "production",
            "BASE_URL": PUBLIC,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "PLUGINS_AUTOLOAD": False,
            **config,
        }
    )


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({}, "no secret key is configured"),  # the laptop default generates one into the instance folder
        ({"SECRET_KEY": ""}, "no secret key is configured"),
        ({"SECRET_KEY": "changeme"}, "well-known value or shorter than 32"),
        ({"SECRET_KEY": "short-but-random-9f3a"}, "well-known value or shorter than 32"),
        ({"SECRET_KEY": STRONG_KEY, "DEBUG": True}, "DEBUG is on"),
        ({"SECRET_KEY": STRONG_KEY, "BASE_URL": "http://127.0.0.1:5000"}, "BASE_URL is the laptop default"),
    ],
)
def test_production_refuses_to_start_unsafely(tmp_path, config, words):
    with pytest.raises(InsecureConfiguration, match=words) as error:
        _production(tmp_path, **config)
    assert "MSO_ACADEMY_ENV=production" in str(error.value)


def test_production_starts_with_a_real_key_and_development_needs_none(tmp_path):
    production = _production(tmp_path, SECRET_KEY=STRONG_KEY)
    assert production.config["SESSION_COOKIE_SECURE"] is True and production.config["TRUSTED_HOSTS"] == [HOST]
    development = create_app({"INSTANCE_PATH": str(tmp_path / "dev"), "PLUGINS_AUTOLOAD": False, "DEBUG": True})
    assert not development.config.get("SESSION_COOKIE_SECURE")


def test_remember_me_never_lasts_longer_than_14_days(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "i"), "PLUGINS_AUTOLOAD": False, "REMEMBER_COOKIE_DURATION": 365 * 86400}
    )
    assert app.config["REMEMBER_COOKIE_DURATION"] == 14 * 24 * 3600


# --- no inline script or style anywhere ------------------------------------------------------------------------

INLINE = re.compile(
    r"""\sstyle\s*=|<style\b|<script\b(?![^>]*\bsrc=)|<[a-z][^<>]*\son[a-z]+\s*=|(href|src|action)\s*=\s*["']\s*javascript:""",
    re.I,
)
# E-mail bodies are no web pages: mail programs need their <style> (the CSP does not apply to them).
MAIL_BODIES = {"mail/layout.html"}


def _templates():
    for base in (ROOT / "mso_academy", ROOT / "plugins"):
        for path in base.rglob("*"):
            if path.suffix in {".html", ".svg", ".j2", ".jinja"} and not any(
                path.as_posix().endswith(body) for body in MAIL_BODIES
            ):
                yield path


def test_no_template_has_inline_script_style_or_event_handler():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if INLINE.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_report_chart_has_no_style_attribute(app):
    """The evaluation report's SVG is inline in the page, so the CSP's style-src applies to it too."""
    from mso_academy.reports.charts import bar_chart
    from mso_academy.reports.services import Shown

    with app.test_request_context():
        svg = str(bar_chart("c1", "Certificates <b>", [("Köln", Shown(12)), ("Ulm", Shown(None))]))
    assert svg.startswith("<svg") and 'class="chart"' in svg
    assert not INLINE.search(svg)
    assert "<b>" not in svg  # names and titles are escaped
