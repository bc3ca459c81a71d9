"""Assigned courses: a manager asks members (or everyone holding a function) to take a course by a due date.

One assignment per organisation, member and course (a unique constraint); assigning again changes the due date.
The learner sees open assignments on their dashboard: those of organisations they still belong to, for
published courses of which they hold no valid certificate yet. `qualification.reminders` mails them before the
due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mso_academy.catalog.models import Course, CourseStatus
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.errors import DomainError, NotFound
from mso_academy.learning.models import Enrolment, EnrolmentStatus
from mso_academy.organisations.models import (
    CourseAssignment,
    MemberFunction,
    Membership,
    Organisation,
    OrgFunction,
)


class AssignmentError(DomainError):
    """The assignment cannot be made; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AssignResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def assignable_courses(session: Session) -> list[tuple[int, str]]:
    """(id, title) of every published course, by title: what a manager may assign."""
    return [
        (course_id, title)
        for course_id, title in session.execute(
            select(Course.id, Course.title).where(Course.status == CourseStatus.PUBLISHED).order_by(Course.title)
        )
    ]


def assign(
    session: Session,
    organisation: Organisation,
    *,
    course_id: int,
    user_ids: list[int],
    function_id: int | None,
    due_on: date,
    assigned_by_id: int | None,
    today: date,
) -> AssignResult:
    """Assign a published course to the given members and to every holder of `function_id`, due on `due_on`.

    Members who have the course assigned already get the new due date (and a new reminder before it).
    """
    course = session.get(Course, course_id)
    if course is None or course.status != CourseStatus.PUBLISHED:
        raise AssignmentError(_("Please choose a published course."), "course")
    if due_on < today:
        raise AssignmentError(_("The due date cannot be in the past."), "due_on")
    targets = set(user_ids)
    if targets:
        members = set(
            session.scalars(
                select(Membership.user_id).where(
                    Membership.organisation_id == organisation.id, Membership.user_id.in_(targets)
                )
            )
        )
        if targets - members:
            raise AssignmentError(_("Courses can only be assigned to members of the organisation."), "members")
    if function_id:
        function = session.get(OrgFunction, function_id)
        if function is None or function.organisation_id != organisation.id:
            raise NotFound(_("This function does not exist."))
        holders = set(
            session.scalars(
                select(Membership.user_id)
                .join(MemberFunction, MemberFunction.membership_id == Membership.id)
                .where(MemberFunction.function_id == function.id, Membership.organisation_id == organisation.id)
            )
        )
        if not holders and not targets:
            raise AssignmentError(_("Nobody holds this function yet."), "function")
        targets |= holders
    if not targets:
        raise AssignmentError(_("Please choose members or a function."), "members")
    try:
        with session.begin_nested():
            return _upsert(session, organisation.id, course.id, targets, due_on, assigned_by_id)
    except IntegrityError:
        # Someone assigned the same course to one of these members at the same moment: now it is an update.
        return _upsert(session, organisation.id, course.id, targets, due_on, assigned_by_id)


def _upsert(
    session: Session, organisation_id: int, course_id: int, user_ids: set[int], due_on: date, by: int | None
) -> AssignResult:
    existing = {
        a.user_id: a
        for a in session.scalars(
            select(CourseAssignment).where(
                CourseAssignment.organisation_id == organisation_id,
                CourseAssignment.course_id == course_id,
                CourseAssignment.user_id.in_(user_ids),
            )
        )
    }
    now = utcnow()
    for user_id in sorted(user_ids):
        assignment = existing.get(user_id)
        if assignment is None:
            session.add(
                CourseAssignment(
                    organisation_id=organisation_id,
                    user_id=user_id,
                    course_id=course_id,
                    due_on=due_on,
                    assigned_by_id=by,
                    assigned_at=now,
                )
            )
            continue
        if assignment.due_on != due_on:
            assignment.due_on = due_on
            assignment.reminded_at = None  # a new due date earns a new reminder
        assignment.assigned_by_id = by
        assignment.assigned_at = now
    session.flush()
    return AssignResult(created=len(user_ids) - len(existing), updated=len(existing))


# --- the learner's side -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerAssignment:
    course: Course
    organisation_name: str
    due_on: date | None
    enrolled: bool  # enrolled and working on it: "Continue"; otherwise the course page
    overdue: bool


def holds_valid_certificate(now: datetime) -> ColumnElement[bool]:
    """Certificates that are valid at `now`: not revoked, not expired (same rule as `Certificate.state`)."""
    return and_(Certificate.revoked_at.is_(None), or_(Certificate.valid_until.is_(None), Certificate.valid_until > now))


def open_for_learner(session: Session, user_id: int, today: date) -> list[LearnerAssignment]:
    """The user's open assignments (none whose certificate they hold), the soonest due first; one query."""
    held = (
        select(Certificate.id)
        .where(Certificate.user_id == user_id, Certificate.course_id == Course.id, holds_valid_certificate(utcnow()))
        .exists()
    )
    enrolled = (
        select(Enrolment.id)
        .where(
            Enrolment.user_id == user_id, Enrolment.course_id == Course.id, Enrolment.status == EnrolmentStatus.ACTIVE
        )
        .exists()
    )
    rows = session.execute(
        select(CourseAssignment.due_on, Course, Organisation.name, enrolled)
        .join(Course, Course.id == CourseAssignment.course_id)
        .join(Organisation, Organisation.id == CourseAssignment.organisation_id)
        .join(
            Membership,
            and_(
                Membership.organisation_id == CourseAssignment.organisation_id,
                Membership.user_id == CourseAssignment.user_id,
            ),
        )
        .where(CourseAssignment.user_id == user_id, Course.status == CourseStatus.PUBLISHED, ~held)
        .order_by(CourseAssignment.due_on.asc().nulls_last(), Course.title, Organisation.name)
    ).all()
    return [
        LearnerAssignment(
            course=course,
            organisation_name=name,
            due_on=due_on,
            enrolled=bool(is_enrolled),
            overdue=due_on is not None and due_on < today,
        )
        for due_on, course, name, is_enrolled in rows
    ]
