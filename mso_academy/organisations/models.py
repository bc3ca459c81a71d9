"""Organisations (MSO): members and managers, invitations, functions with required courses, assigned courses."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mso_academy.db import Base, UTCDateTime, utcnow


class MemberRole(StrEnum):
    MEMBER = "member"
    MANAGER = "manager"


class LegalForm(StrEnum):
    REGISTERED_ASSOCIATION = "e.V."
    INITIATIVE = "initiative"  # not (yet) registered
    GGMBH = "gGmbH"
    OTHER = "other"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(50), default="")
    legal_form: Mapped[str] = mapped_column(String(50), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="", index=True)
    register_number: Mapped[str] = mapped_column(String(50), default="")  # e.g. "VR 12345, Amtsgericht Köln"
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Both off by default: an organisation decides what the public may see.
    is_public: Mapped[bool] = mapped_column(default=False)
    show_status_publicly: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan")
    functions: Mapped[list[OrgFunction]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrgFunction.name"
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=MemberRole.MEMBER)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    functions: Mapped[list[MemberFunction]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class Invitation(Base):
    """An invitation by e-mail; the link carries a signed token naming this row, usable once until it expires."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default=MemberRole.MEMBER)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OrgFunction(Base):
    """A function in an organisation (board, treasurer, counsellor, …) and the courses it requires."""

    __tablename__ = "org_functions"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))

    organisation: Mapped[Organisation] = relationship(back_populates="functions")
    requirements: Mapped[list[FunctionRequirement]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="function"
    )


class FunctionRequirement(Base):
    """Holders of a function must hold a valid certificate of a course.

    `min_holders`: how many of the function's holders must hold it for the organisation to count as qualified in
    the course's area (e.g. at least two board members hold the association-law certificate).
    """

    __tablename__ = "function_requirements"
    __table_args__ = (UniqueConstraint("function_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("org_functions.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    min_holders: Mapped[int] = mapped_column(default=1)

    function: Mapped[OrgFunction] = relationship(back_populates="requirements")


class MemberFunction(Base):
    __tablename__ = "member_functions"
    __table_args__ = (UniqueConstraint("membership_id", "function_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    function_id: Mapped[int] = mapped_column(ForeignKey("org_functions.id", ondelete="CASCADE"), index=True)


class CourseAssignment(Base):
    """A manager asked a member to take a course by a due date; the learner sees it on the dashboard."""

    __tablename__ = "course_assignments"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
