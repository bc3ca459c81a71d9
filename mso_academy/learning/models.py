"""Enrolments, attempts, per-activity progress and completions.

`Attempt` rows are the record of what a learner handed in. `ActivityProgress` keeps one row per enrolment and
activity (passed or not, best score) so that progress pages read a known, small number of rows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mso_academy.catalog.models import Activity, Course
from mso_academy.db import Base, UTCDateTime, utcnow


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class EnrolmentSource(StrEnum):
    SELF = "self"
    TRAINER = "trainer"
    ORGANISATION = "organisation"


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20), default=EnrolmentSource.SELF)
    status: Mapped[str] = mapped_column(String(20), default=EnrolmentStatus.ACTIVE)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 1 for the first pass; each renewal of the certificate starts the next cycle.
    cycle: Mapped[int] = mapped_column(default=1)

    course: Mapped[Course] = relationship()
    progress: Mapped[list[ActivityProgress]] = relationship(back_populates="enrolment", cascade="all, delete-orphan")

    @property
    def is_completed(self) -> bool:
        return self.status == EnrolmentStatus.COMPLETED


class ActivityProgress(Base):
    __tablename__ = "activity_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    attempts_count: Mapped[int] = mapped_column(default=0)
    best_score: Mapped[float] = mapped_column(Float, default=0.0)
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="progress")

    @property
    def passed(self) -> bool:
        return self.passed_at is not None


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "activity_id", "number"),
        # The form's one-time token: the same submission sent twice is stored once.
        UniqueConstraint("enrolment_id", "activity_id", "submission_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    submission_token: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    passed: Mapped[bool] = mapped_column(default=False)
    feedback: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Work a trainer reviews: None for automatically graded attempts, else pending / passed / returned.
    review_status: Mapped[str | None] = mapped_column(String(20), index=True)
    review_feedback: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    activity: Mapped[Activity] = relationship()


class ActivityDraft(Base):
    """Answers a learner saved without handing them in (kinds with `saves_drafts`): one per enrolment and activity.

    A long exercise survives a closed tab; the draft is never graded and goes when the learner hands in.
    """

    __tablename__ = "activity_drafts"
    __table_args__ = (UniqueConstraint("enrolment_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    activity: Mapped[Activity] = relationship()


class Completion(Base):
    """The one record that an enrolment's cycle was completed; its certificate hangs on it."""

    __tablename__ = "completions"
    __table_args__ = (UniqueConstraint("enrolment_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(default=1)
    course_version: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
