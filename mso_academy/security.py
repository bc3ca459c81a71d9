"""HTTP hardening in one place: security headers on every response, secure cookies and a refusal to start with an
unsafe configuration in production.

"Production" is `MSO_ACADEMY_ENV=production` (config key `ENV`). There the app refuses to start with DEBUG on,
without a secret key of its own (missing, generated into the instance folder by the laptop default, a
well-known value, or shorter than 32 characters) or without its public BASE_URL; session and remember-me
cookies are `Secure`; only BASE_URL's host name is accepted as Host (TRUSTED_HOSTS); and responses carry HSTS.
HSTS is also sent whenever `SESSION_COOKIE_SECURE` is on (the site is served over HTTPS).

The Content-Security-Policy has no 'unsafe-inline': templates carry no inline scripts or `style` attributes
(tests/security/test_headers.py checks the templates, tests/browser/test_csp.py the pages in Chromium). A view
may set a stricter policy of its own (uploads are served with `sandbox`); it is kept.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request, session
from flask_login import user_logged_in, user_logged_out
from werkzeug.exceptions import SecurityError

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)"
HSTS = "max-age=31536000; includeSubDomains"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Links in mail carry tokens in the path: other sites never see our paths, not even on a link from a page.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",  # for browsers without frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Keys that people copy from tutorials, and the ones the tests use.
WELL_KNOWN_KEYS = frozenset({"dev", "development", "secret", "changeme", "change-me", "test-secret-key", "x"})
MIN_KEY_LENGTH = 32
MAX_REMEMBER = 14 * 24 * 3600


class InsecureConfiguration(RuntimeError):
    """The app would run in production with a setting that exposes its users; raised by `create_app`."""


def is_production(app: Flask) -> bool:
    return str(app.config.get("ENV", "")).strip().lower() == "production"


def _generated_key(app: Flask) -> bool:
    path = Path(app.instance_path) / "secret_key"
    return path.is_file() and path.read_text().strip() == app.config.get("SECRET_KEY")


def check_configuration(app: Flask) -> None:
    """Refuse to start in production with debug on or without a real secret key; a clear message says why."""
    if not is_production(app):
        return
    problems = []
    if app.debug or app.config.get("DEBUG"):
        problems.append("DEBUG is on (it shows code and lets anyone run it from the error page); switch it off.")
    key = app.config.get("SECRET_KEY") or ""
    if not key or _generated_key(app):
        problems.append("no secret key is configured; set MSO_ACADEMY_SECRET_KEY (shared by all app servers).")
    elif key in WELL_KNOWN_KEYS or len(key) < MIN_KEY_LENGTH:
        problems.append(
            f"the secret key is a well-known value or shorter than {MIN_KEY_LENGTH} characters; set "
            "MSO_ACADEMY_SECRET_KEY to a long random value, e.g. from `python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'`."
        )
    if urlsplit(str(app.config.get("BASE_URL") or "")).hostname in {None, "", "127.0.0.1", "localhost"}:
        problems.append(
            "BASE_URL is the laptop default; set MSO_ACADEMY_BASE_URL to the public address (https://…): links in "
            "mail and credentials use it, and requests for any other host name are refused."
        )
    if problems:
        raise InsecureConfiguration(
            "MSO Academy refuses to start in production (MSO_ACADEMY_ENV=production): " + " ".join(problems)
        )


def set_headers(response: Response, *, hsts: bool) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Call right after the configuration is loaded."""
    check_configuration(app)
    if is_production(app):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        # Links in mail are built from the request's host: only the public host name may be it, so a forged Host
        # header cannot send someone a password-reset link to another site (host header poisoning).
        if not app.config.get("TRUSTED_HOSTS"):
            app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["BASE_URL"]).hostname]
    duration = app.config.get("REMEMBER_COOKIE_DURATION") or MAX_REMEMBER
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
    app.config["REMEMBER_COOKIE_DURATION"] = min(int(seconds), MAX_REMEMBER)  # "remember me" lasts 14 days at most
    hsts = is_production(app) or bool(app.config.get("SESSION_COOKIE_SECURE"))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        return set_headers(response, hsts=hsts)

    app.before_request(_refuse_bad_input)
    app.register_error_handler(SecurityError, _untrusted_host)
    user_logged_in.connect(_fresh_session, app)
    user_logged_out.connect(_end_every_session, app)


def _untrusted_host(error: SecurityError) -> Response:
    """A Host header outside TRUSTED_HOSTS: a plain 400 (no page, since no link can be built for that host)."""
    return Response("Bad Request: unknown host name.\n", status=400, mimetype="text/plain")


def _refuse_bad_input() -> None:
    """Before any view: 413 for more than MAX_FORM_PARTS form fields (Flask's default 1000; Werkzeug counts them
    only in multipart bodies, this counts url-encoded ones too), and 400 for a NUL character in the path, a query
    or a form field: no text in this app contains one, and PostgreSQL refuses it in any query (a 500 otherwise)."""
    if "\x00" in request.path:
        abort(400)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)
    if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        fields = list(request.form.items(multi=True))
        if request.mimetype == "application/x-www-form-urlencoded":
            limit = current_app.config.get("MAX_FORM_PARTS") or 1000
            if len(fields) > limit:
                abort(413)
        if any("\x00" in key or "\x00" in value for key, value in fields):
            abort(400)


# What survives a login: Flask-Login's own keys (set just before the signal), the chosen language and the
# messages to show. Everything else a visitor's cookie carried before (planted values, an old CSRF token,
# half-finished steps) is dropped, so a session prepared by someone else is never the signed-in one.
_KEPT_AT_LOGIN = frozenset({"_user_id", "_fresh", "_id", "_remember", "_remember_seconds", "language", "_flashes"})


def _fresh_session(sender: Flask, user: Any, **extra: Any) -> None:
    """A new session at login (against session fixation): the cookie's contents are replaced."""
    kept = {key: session[key] for key in _KEPT_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)


def _end_every_session(sender: Flask, user: Any, **extra: Any) -> None:
    """Logging out ends every session of the account (all devices): a copy of the old cookie, or a remember-me
    cookie, names a session token that no longer exists."""
    from mso_academy.accounts.models import User, new_session_token
    from mso_academy.db import get_session

    if isinstance(user, User):
        user.session_token = new_session_token()
        get_session().flush()
