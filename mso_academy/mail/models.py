"""The mail outbox: a message is a row written in the transaction that causes it, sent later by the worker."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mso_academy.db import Base, UTCDateTime, utcnow


class MailStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (again, after `next_attempt_at`)
    SENDING = "sending"  # claimed by a worker until `claimed_until`; a crashed worker's claim expires
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; an admin can see it and requeue it


class MailMessage(Base):
    __tablename__ = "mail_messages"
    __table_args__ = (Index("ix_mail_messages_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # Reminder mails carry their kind, so that an unsubscribe link can name it (RFC 8058 List-Unsubscribe).
    kind: Mapped[str | None] = mapped_column(String(50))
    unsubscribe_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
