"""Outgoing mail: rendered in the recipient's language, queued in the outbox table of the causing transaction.

`send(session, compose(...))` adds a `MailMessage` row to `session`: a rollback leaves no mail, a commit leaves a
row that `mso-academy mail send` (or the `worker`) delivers and retries (see `mso_academy.mail.outbox`). With
`MAIL_SEND_AFTER_COMMIT` (the default) the app also tries to deliver the rows of a transaction right after it
commits, so mail leaves at once on a laptop without a worker; what fails there waits for the worker.

Delivery goes to the SMTP server of `MSO_ACADEMY_MAIL_URL` (``smtp://user:pass@host:587?starttls=1`` or
``smtps://…``); without it each message is written as an ``.eml`` file to the outbox folder. The log names the
file or the masked address, never the message itself: confirmation and reset links are secrets.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from mso_academy.db import after_commit, utcnow
from mso_academy.mail.models import MailMessage, MailStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """A rendered message, not yet queued."""

    to: str
    subject: str
    text: str
    html: str | None = None
    language: str = "de"
    # Reminder mails name their kind and carry an unsubscribe link (RFC 8058 List-Unsubscribe).
    kind: str | None = None
    unsubscribe_url: str | None = None


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL for links in mail, also outside a request (CLI, worker) via `BASE_URL`."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL", "http://127.0.0.1:5000")):
        return url_for(endpoint, _external=True, **values)


def compose(
    to: str,
    language: str,
    subject: str,
    template: str,
    *,
    kind: str | None = None,
    unsubscribe_url: str | None = None,
    **context: object,
) -> Mail:
    """Render `template` (plain text) and its ``.html`` sibling in `language`.

    The subject is the caller's lazy string, translated here. The HTML part is autoescaped like every HTML
    template, so names and titles chosen by users cannot inject markup; a template without an HTML sibling
    (e.g. from a plugin) sends plain text only.
    """
    from mso_academy.templating import RTL_LANGUAGES

    with force_locale(language):
        subject_text = str(subject)
        values = {
            **context,
            "subject": subject_text,
            "mail_language": language,
            "mail_direction": "rtl" if language.split("_")[0] in RTL_LANGUAGES else "ltr",
            "unsubscribe_url": unsubscribe_url,
        }
        text = render_template(template, **values)
        html: str | None = None
        if template.endswith(".txt"):
            try:
                html = render_template(template.removesuffix(".txt") + ".html", **values)
            except TemplateNotFound:
                html = None
    return Mail(
        to=to,
        subject=subject_text,
        text=text,
        html=html,
        language=language,
        kind=kind,
        unsubscribe_url=unsubscribe_url,
    )


class _SendAfterCommit:
    """One callback per transaction that tries to deliver all rows it queued, once it has committed."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.rows: list[MailMessage] = []

    def __call__(self) -> None:
        from mso_academy.mail import outbox

        # The identity is known without SQL (a row rolled back in a savepoint has none and is skipped).
        ids = [state.identity[0] for state in map(inspect, self.rows) if state.identity]
        if ids:
            outbox.send_now(self.app, ids)


def send(session: Session, mail: Mail) -> MailMessage:
    """Queue `mail` in the outbox within `session`'s transaction: a rollback drops it, a commit keeps it."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    now = utcnow()
    row = MailMessage(
        message_id=make_msgid(domain=_sender_domain(app)),
        to_address=mail.to,
        language=mail.language,
        subject=mail.subject,
        text_body=mail.text,
        html_body=mail.html,
        kind=mail.kind,
        unsubscribe_url=mail.unsubscribe_url,
        status=MailStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    if app.config.get("MAIL_SEND_AFTER_COMMIT"):
        callbacks = session.info.get("after_commit", [])
        batch = next((c for c in callbacks if isinstance(c, _SendAfterCommit)), None)
        if batch is None:
            batch = _SendAfterCommit(app)
            after_commit(session, batch)
        batch.rows.append(row)
    return row


class _MailPolicy(EmailPolicy):
    """The default policy, except that URL headers stay on one line as they are.

    A long unsubscribe URL has no space to fold at, and the default would turn it into RFC 2047 encoded words,
    which mail programs do not read in List-Unsubscribe (RFC 2369 allows folding only, and the line is far
    below the 998 characters a line may have).
    """

    _UNFOLDED = frozenset({"list-unsubscribe"})

    def fold(self, name: str, value: str) -> str:
        if name.lower() in self._UNFOLDED:
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in self._UNFOLDED:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


MAIL_POLICY = _MailPolicy()


def mask(address: str) -> str:
    """An address fit for the log: ``m***@example.org``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _sender_domain(app: Flask) -> str:
    address = parseaddr(app.config["MAIL_FROM"])[1]
    return address.rpartition("@")[2] or "mso-academy.invalid"


def build_message(app: Flask, row: MailMessage) -> EmailMessage:
    """The MIME message of an outbox row: plain text and, when there is one, HTML as multipart/alternative."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id  # the same on every retry, so a receiver can spot a duplicate
    message["Date"] = format_datetime(row.created_at)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    message["Content-Language"] = row.language  # after the body: setting content drops Content-* headers
    return message


def write_eml(app: Flask, message: EmailMessage) -> Path:
    """Development delivery without MAIL_URL: one ``.eml`` file per message in the outbox folder."""
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    local_part = str(message["Message-ID"]).strip("<>").split("@")[0]
    path = folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{local_part}.eml"
    path.write_bytes(bytes(message))
    return path


def smtp_client(url: str) -> smtplib.SMTP:
    """A connected (and, if the URL says so, authenticated) SMTP client for `MAIL_URL`."""
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=30)
    elif parts.scheme == "smtp":
        client = smtplib.SMTP(host, parts.port or 25, timeout=30)
    else:
        raise ValueError(f"MSO_ACADEMY_MAIL_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    try:
        if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
    except BaseException:
        client.close()
        raise
    return client


def _send_smtp(url: str, message: EmailMessage) -> None:
    """One message over its own connection (the outbox keeps one connection per batch instead)."""
    with smtp_client(url) as client:
        client.send_message(message)
