"""Delivering the outbox: claim due messages, send them, record the outcome. Never twice, never lost.

A pass claims a batch in a short transaction of its own: an UPDATE sets ``pending → sending`` with a lease
(`claimed_until`) and counts the attempt. On PostgreSQL the batch is chosen with ``SELECT … FOR UPDATE SKIP
LOCKED``, so two workers take different rows without waiting for each other; on SQLite the transaction takes the
write lock at BEGIN (BEGIN IMMEDIATE), which serialises the claims. Then the messages go out (one SMTP connection
per batch) and each outcome is written in its own short transaction, fenced by the lease: only the holder of the
claim may record it. A worker that dies mid-batch leaves claims that expire; the next pass retries them (this is
the one way a message can arrive twice: the server accepted it and the worker died before recording it; the
Message-ID stays the same so that receivers can tell).

Failures wait 1, 5, 25, 125 … minutes (capped at MAIL_RETRY_MAX_SECONDS) and become ``failed`` after
MAIL_MAX_ATTEMPTS; failed rows keep their bodies and can be requeued (`mso-academy mail requeue`). Once a message
is sent its bodies are blanked: subject, addressee and dates stay as a record, but no reset or confirmation link
lies around in the database (or its backups) after it has left.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import Flask
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from mso_academy.db import database, utcnow, write_intent
from mso_academy.mail import build_message, mask, smtp_client, write_eml
from mso_academy.mail.models import MailMessage, MailStatus

log = logging.getLogger(__name__)


@dataclass
class PassResult:
    """What one pass did: sent, put back to retry later, given up on."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: PassResult) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


@dataclass(frozen=True)
class Claim:
    ids: list[int]
    lease_until: datetime


def backoff(app: Flask, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base × 5^(attempts-1), capped."""
    base = int(app.config["MAIL_RETRY_BASE_SECONDS"])
    cap = int(app.config["MAIL_RETRY_MAX_SECONDS"])
    return timedelta(seconds=min(base * 5 ** max(attempts - 1, 0), cap))


@contextmanager
def _transaction(app: Flask, writes: bool = True) -> Iterator[Session]:
    """A short transaction of its own (SQLite: BEGIN IMMEDIATE when it writes, so claims queue up in order)."""
    token = write_intent.set(writes)
    try:
        with database(app).session_factory() as session, session.begin():
            yield session
    finally:
        write_intent.reset(token)


def _due(now: datetime, max_attempts: int):  # type: ignore[no-untyped-def]
    return or_(
        and_(MailMessage.status == MailStatus.PENDING, MailMessage.next_attempt_at <= now),
        # A claim whose worker died: retried while attempts are left.
        and_(
            MailMessage.status == MailStatus.SENDING,
            MailMessage.claimed_until < now,
            MailMessage.attempts < max_attempts,
        ),
    )


def _give_up_abandoned(session: Session, now: datetime, max_attempts: int) -> None:
    """Claims that expired on the last attempt are given up rather than tried once more."""
    session.execute(
        update(MailMessage)
        .where(
            MailMessage.status == MailStatus.SENDING,
            MailMessage.claimed_until < now,
            MailMessage.attempts >= max_attempts,
        )
        .values(
            status=MailStatus.FAILED,
            claimed_until=None,
            last_error="The last attempt did not finish (the worker stopped while sending).",
        )
        .execution_options(synchronize_session=False)
    )


def claim(app: Flask, *, now: datetime, limit: int, ids: Sequence[int] | None = None) -> Claim:
    """Take up to `limit` due messages (of `ids`, if given) for this worker; returns their ids and the lease."""
    max_attempts = int(app.config["MAIL_MAX_ATTEMPTS"])
    lease_until = max(now, utcnow()) + timedelta(seconds=int(app.config["MAIL_CLAIM_SECONDS"]))
    with _transaction(app) as session:
        if ids is None:  # a worker's pass (not the try right after a commit) tidies up
            _give_up_abandoned(session, now, max_attempts)
        query = (
            select(MailMessage.id)
            .where(_due(now, max_attempts))
            .order_by(MailMessage.next_attempt_at, MailMessage.id)
            .limit(limit)
        )
        if ids is not None:
            query = query.where(MailMessage.id.in_(list(ids)))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = list(session.scalars(query))
        if claimed:
            session.execute(
                update(MailMessage)
                .where(MailMessage.id.in_(claimed))
                .values(status=MailStatus.SENDING, claimed_until=lease_until, attempts=MailMessage.attempts + 1)
                .execution_options(synchronize_session=False)
            )
    return Claim(claimed, lease_until)


class _Transport:
    """SMTP with one connection per batch (reopened after a broken one), or `.eml` files without MAIL_URL."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.url: str | None = app.config.get("MAIL_URL")
        self.client: smtplib.SMTP | None = None
        self.unreachable: Exception | None = None

    def send(self, message: EmailMessage) -> str:
        if not self.url:
            return f"written to {write_eml(self.app, message)}"
        if self.unreachable is not None:
            raise self.unreachable  # the server could not be reached for this batch; do not wait again per message
        if self.client is None:
            try:
                self.client = smtp_client(self.url)
            except Exception as exc:
                self.unreachable = exc
                raise
        try:
            self.client.send_message(message)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server answered (and smtplib reset the session): the connection carries the next message
        except Exception:
            self.close()
            raise
        return "sent"

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except Exception:
            client.close()


_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def describe(exc: BaseException, url: str | None) -> str:
    """A short error text for `last_error` and the log: the SMTP answer or the exception, never the password,
    and addresses masked (servers like to quote the recipient)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
        text = f"SMTP recipient refused: {answers}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    password = urlsplit(url).password if url else None
    if password:
        text = text.replace(password, "***").replace(unquote(password), "***")
    return _ADDRESS.sub(lambda match: mask(match.group(0)), text)[:500]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def deliver(app: Flask, claimed: Claim, now: datetime) -> PassResult:
    """Send the claimed messages and record each outcome."""
    result = PassResult()
    with _transaction(app, writes=False) as session:
        rows = session.scalars(
            select(MailMessage)
            .where(
                MailMessage.id.in_(claimed.ids),
                MailMessage.status == MailStatus.SENDING,
                MailMessage.claimed_until == claimed.lease_until,  # still ours
            )
            .order_by(MailMessage.id)
        ).all()
        batch = [(row.id, row.attempts, row.subject, row.to_address, build_message(app, row)) for row in rows]
    transport = _Transport(app)
    try:
        for row_id, attempts, subject, to_address, message in batch:
            try:
                outcome = transport.send(message)
            except Exception as exc:
                error = describe(exc, transport.url)
                status = _record_failure(app, row_id, attempts, claimed.lease_until, now, error)
                log.warning(
                    "Mail %s to %s not sent (attempt %d, now %s): %s", row_id, mask(to_address), attempts, status, error
                )
                if status == MailStatus.FAILED:
                    result.failed += 1
                else:
                    result.retrying += 1
            else:
                _record_sent(app, row_id, claimed.lease_until, now)
                log.info("Mail %s %r to %s %s", row_id, subject, mask(to_address), outcome)
                result.sent += 1
    finally:
        transport.close()
    return result


def _record_sent(app: Flask, row_id: int, lease_until: datetime, now: datetime) -> None:
    with _transaction(app) as session:
        done = session.execute(
            update(MailMessage)
            .where(
                MailMessage.id == row_id,
                MailMessage.status == MailStatus.SENDING,
                MailMessage.claimed_until == lease_until,
            )
            .values(
                status=MailStatus.SENT,
                sent_at=now,
                claimed_until=None,
                last_error=None,
                text_body="",  # links (reset, confirmation) do not stay in the database once the mail has left
                html_body=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    if not done:
        log.warning("Mail %s was sent after its claim had expired; another worker may send it again", row_id)


def _record_failure(
    app: Flask, row_id: int, attempts: int, lease_until: datetime, now: datetime, error: str
) -> MailStatus:
    gave_up = attempts >= int(app.config["MAIL_MAX_ATTEMPTS"])
    status = MailStatus.FAILED if gave_up else MailStatus.PENDING
    values: dict[str, object] = {"status": status, "claimed_until": None, "last_error": error}
    if not gave_up:
        values["next_attempt_at"] = now + backoff(app, attempts)
    with _transaction(app) as session:
        session.execute(
            update(MailMessage)
            .where(
                MailMessage.id == row_id,
                MailMessage.status == MailStatus.SENDING,
                MailMessage.claimed_until == lease_until,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return status


def send_due(app: Flask, now: datetime | None = None) -> PassResult:
    """One pass: send every message due at `now` (default: the start of the pass), batch by batch."""
    start = now or utcnow()
    size = int(app.config["MAIL_BATCH_SIZE"])
    result = PassResult()
    while True:
        claimed = claim(app, now=start, limit=size)
        if not claimed.ids:
            return result
        result.add(deliver(app, claimed, start))
        if len(claimed.ids) < size:
            return result


def send_now(app: Flask, ids: Sequence[int]) -> None:
    """Try the just-committed messages `ids` once (MAIL_SEND_AFTER_COMMIT); what fails waits for the worker."""
    try:
        now = utcnow()
        claimed = claim(app, now=now, limit=len(ids), ids=ids)
        if claimed.ids:
            deliver(app, claimed, now)
    except Exception:
        log.exception("Mail could not be sent right after the commit; `mso-academy mail send` will retry it")


def requeue_failed(session: Session, now: datetime | None = None) -> int:
    """Give every failed message a fresh set of attempts (after the cause, e.g. a wrong MAIL_URL, is fixed)."""
    return session.execute(
        update(MailMessage)
        .where(MailMessage.status == MailStatus.FAILED)
        .values(status=MailStatus.PENDING, attempts=0, next_attempt_at=now or utcnow(), claimed_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def counts(session: Session) -> dict[str, int]:
    """How many messages are in each state."""
    query = select(MailMessage.status, func.count()).group_by(MailMessage.status)
    found = {str(status): int(count) for status, count in session.execute(query).all()}
    return {str(status): found.get(str(status), 0) for status in MailStatus}
