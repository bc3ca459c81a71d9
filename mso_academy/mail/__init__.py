"""Outgoing mail: rendered in the recipient's language, sent only after the transaction that caused it commits.

With `MSO_ACADEMY_MAIL_URL` (``smtp://user:pass@host:587?starttls=1`` or ``smtps://…``) mail goes to that SMTP
server. Without it each message is written as an ``.eml`` file to the outbox folder and the log names the file:
the log never contains the message itself, since confirmation and reset links are secrets.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy.orm import Session

from mso_academy.db import after_commit, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL for links in mail, also outside a request (CLI, worker) via `BASE_URL`."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL", "http://127.0.0.1:5000")):
        return url_for(endpoint, _external=True, **values)


def compose(to: str, language: str, subject: str, template: str, **context: object) -> Mail:
    """Render a plain-text mail template in `language` (the subject is translated by the caller's lazy string)."""
    with force_locale(language):
        return Mail(to=to, subject=str(subject), text=render_template(template, **context))


def send(session: Session, mail: Mail) -> None:
    """Queue `mail` to go out when `session` commits; a rollback drops it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit(session, lambda: deliver(app, mail))


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _message(app: Flask, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="mso-academy")
    message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(mail.text)
    return message


def deliver(app: Flask, mail: Mail) -> None:
    message = _message(app, mail)
    url = app.config.get("MAIL_URL")
    if url:
        _send_smtp(url, message)
        log.info("Mail %r sent to %s", mail.subject, _mask(mail.to))
        return
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{utcnow():%Y%m%dT%H%M%S%f}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
    path.write_bytes(bytes(message))
    log.info("Mail %r to %s written to %s", mail.subject, _mask(mail.to), path)


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=30)
    elif parts.scheme == "smtp":
        client = smtplib.SMTP(host, parts.port or 25, timeout=30)
    else:
        raise ValueError(f"MSO_ACADEMY_MAIL_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    with client:
        if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
