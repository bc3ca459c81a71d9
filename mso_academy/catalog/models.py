"""Courses, their modules and activities: the catalogue's content."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mso_academy.db import Base, UTCDateTime, utcnow


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (Index("ix_courses_status_language", "status", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    course_type: Mapped[str] = mapped_column(String(50), index=True)
    language: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(20), default=Level.BEGINNER)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    version: Mapped[str] = mapped_column(String(20), default="1.0")
    status: Mapped[str] = mapped_column(String(20), default=CourseStatus.DRAFT)
    certificate_description: Mapped[str] = mapped_column(Text, default="")
    certificate_validity_months: Mapped[int | None] = mapped_column()
    learning_outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Courses that share a group key are language versions of one course (linked on the course page).
    translation_group: Mapped[str | None] = mapped_column(String(100), index=True)
    # sha256 of the imported package, so re-importing the same version is recognised as unchanged.
    package_fingerprint: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="Module.position"
    )
    # Loaded on first use: only trainers' permission checks need it, and the pages listing courses for learners
    # (catalogue, dashboard) would otherwise pay one more query each.
    co_trainers: Mapped[list[CourseTrainer]] = relationship(cascade="all, delete-orphan")

    def is_trainer(self, user_id: int) -> bool:
        """The owner or a co-trainer: the people who edit the course and look after its learners."""
        return self.owner_id == user_id or any(t.user_id == user_id for t in self.co_trainers)

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED


class CourseDraft(Base):
    """The web editor's working copy of a course: a course package document (see `catalog.packages`).

    Learners never see it; publishing imports it by the same rule as a package import.
    """

    __tablename__ = "course_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), unique=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CourseTrainer(Base):
    """A co-trainer of a course: edits it and reviews its learners' work like the owner."""

    __tablename__ = "course_trainers"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Module(Base):
    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # A renewal module is skipped on the first pass and is all a learner repeats to renew the certificate.
    is_renewal: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(back_populates="modules")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Activity.position"
    )


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("module_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(default=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    module: Mapped[Module] = relationship(back_populates="activities")
