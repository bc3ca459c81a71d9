"""Certificates: issued once per completion, with everything printed on them frozen at issue time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mso_academy.db import Base, UTCDateTime, utcnow


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 160 random bits in base32: never sequential, never guessable.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # NULL only for the pseudonymised record of a deleted account (see accounts/privacy.py); RESTRICT guards
    # against losing a certificate by deleting its completion in any other way.
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id", ondelete="RESTRICT"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"), index=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    course_slug: Mapped[str] = mapped_column(String(100))
    course_title: Mapped[str] = mapped_column(String(200))
    course_version: Mapped[str] = mapped_column(String(20))
    course_language: Mapped[str] = mapped_column(String(10))
    course_type: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text, default="")
    learning_outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_minutes: Mapped[int] = mapped_column(default=0)
    contributions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    issuer_name: Mapped[str] = mapped_column(String(200))
    issuer_address: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    recipient_salt: Mapped[str] = mapped_column(String(64))
    recipient_hash: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(64))
    credential_jwt: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def state(self, now: datetime | None = None) -> str:
        """valid, expired or revoked (revocation wins)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.valid_until is not None and self.valid_until <= (now or utcnow()):
            return "expired"
        return "valid"
