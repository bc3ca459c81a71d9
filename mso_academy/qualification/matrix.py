"""The certificate matrix: an organisation's members × the courses it requires or assigned, one state per cell.

`load` reads everything the dashboard and the exports show in at most ten queries, whatever the number of
members, courses and certificates: the functions (1) with their requirements (2), the members with their names
(3) and functions (4), the organisation's assignments (5), the courses of the columns (6), the members'
certificates of those courses (7), their enrolments (8), activities passed per enrolment (9) and activities per
course (10). The matrix, the status per area (`qualification.status`) and the exports are computed from this
snapshot without further queries.

A cell is, in this order of precedence:
  valid        a valid certificate of the course (expiring: it ends within ORG_EXPIRY_WARNING_DAYS)
  in progress  enrolled and not completed (a first pass or a renewal), without a valid certificate
  expired      only expired certificates (revoked ones count as none)
  missing      nothing of the above
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mso_academy.accounts.models import User
from mso_academy.catalog.models import Activity, Course, Module
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.errors import NotFound
from mso_academy.learning.models import ActivityProgress, Enrolment, EnrolmentStatus
from mso_academy.organisations.models import CourseAssignment, Membership, Organisation, OrgFunction
from mso_academy.qualification.dates import local_date


class CellState(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    IN_PROGRESS = "in_progress"
    MISSING = "missing"


HOLDING = frozenset({CellState.VALID, CellState.EXPIRING})

# Shown next to the state's name, never instead of it (colour and symbol alone say nothing to everyone).
STATE_SYMBOLS = {
    CellState.VALID: "✔",
    CellState.EXPIRING: "⚠",
    CellState.EXPIRED: "✖",
    CellState.IN_PROGRESS: "◐",
    CellState.MISSING: "—",
}


def state_label(state: CellState | str) -> str:
    return {
        CellState.VALID: _("Valid"),
        CellState.EXPIRING: _("Expires soon"),
        CellState.EXPIRED: _("Expired"),
        CellState.IN_PROGRESS: _("In progress"),
        CellState.MISSING: _("Missing"),
    }[CellState(state)]


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    email: str
    role: str
    function_ids: frozenset[int]
    functions: tuple[str, ...]  # the names of the member's functions, sorted


@dataclass(frozen=True)
class Column:
    """A course of the matrix: required by a function of the organisation, or assigned to a member."""

    course_id: int
    slug: str
    title: str
    language: str
    course_type: str
    required_by_ids: frozenset[int]
    required_by: tuple[str, ...]  # names of the functions that require it, sorted


@dataclass(frozen=True)
class Cell:
    state: CellState
    # valid / expiring: the end of the best valid certificate (None: valid without time limit);
    # expired (and in progress after an expiry): the end of the latest certificate.
    valid_until: datetime | None = None
    enrolment_status: str | None = None  # None: not enrolled
    cycle: int = 1
    done: int = 0
    total: int = 0
    enrolled_at: datetime | None = None
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None
    assigned: bool = False
    due_on: date | None = None
    required: bool = False  # a function of this member requires the course

    @property
    def holds(self) -> bool:
        return self.state in HOLDING

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today and not self.holds


@dataclass(frozen=True)
class Row:
    member: Member
    cells: tuple[Cell, ...]  # one per column, in column order

    def items(self, columns: list[Column]) -> list[tuple[Column, Cell]]:
        return list(zip(columns, self.cells, strict=True))


@dataclass(frozen=True)
class Snapshot:
    """What the organisation's members hold and do, read once; every view of the dashboard is computed from it."""

    organisation: Organisation
    functions: list[OrgFunction]
    members: list[Member]
    columns: list[Column]
    cells: dict[tuple[int, int], Cell]  # (user id, course id) → cell
    now: datetime
    today: date  # the local date (BABEL_DEFAULT_TIMEZONE), for due dates
    warning_days: int

    def cell(self, user_id: int, course_id: int) -> Cell:
        return self.cells[(user_id, course_id)]

    def function(self, function_id: int) -> OrgFunction:
        for function in self.functions:
            if function.id == function_id:
                return function
        raise NotFound(_("This function does not exist."))


@dataclass(frozen=True)
class Matrix:
    columns: list[Column]
    rows: list[Row]
    function: OrgFunction | None  # the filter, if any


@dataclass(frozen=True)
class AssignedItem:
    member: Member
    column: Column
    cell: Cell


def load(session: Session, organisation: Organisation, now: datetime | None = None) -> Snapshot:
    """Read the organisation's members, functions, required and assigned courses, certificates and progress."""
    now = now or utcnow()
    warning_days = int(current_app.config["ORG_EXPIRY_WARNING_DAYS"])
    functions = list(
        session.scalars(
            select(OrgFunction).where(OrgFunction.organisation_id == organisation.id).order_by(OrgFunction.name)
        )
    )
    function_names = {f.id: f.name for f in functions}
    memberships = session.execute(
        select(Membership, User.name, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation.id)
        .order_by(func.lower(User.name), User.id)
    ).all()
    members = [
        Member(
            user_id=membership.user_id,
            name=name,
            email=email,
            role=membership.role,
            function_ids=frozenset(mf.function_id for mf in membership.functions),
            functions=tuple(sorted(function_names[mf.function_id] for mf in membership.functions)),
        )
        for membership, name, email in memberships
    ]
    member_ids = select(Membership.user_id).where(Membership.organisation_id == organisation.id)
    assignments = {
        (a.user_id, a.course_id): a
        for a in session.scalars(
            select(CourseAssignment).where(
                CourseAssignment.organisation_id == organisation.id, CourseAssignment.user_id.in_(member_ids)
            )
        )
    }
    required: dict[int, set[int]] = defaultdict(set)
    for function in functions:
        for requirement in function.requirements:
            required[requirement.course_id].add(function.id)
    course_ids = sorted(set(required) | {course_id for _user, course_id in assignments})
    if not course_ids:
        columns: list[Column] = []
    else:
        courses = session.execute(
            select(Course.id, Course.slug, Course.title, Course.language, Course.course_type).where(
                Course.id.in_(course_ids)
            )
        ).all()
        columns = sorted(
            (
                Column(
                    course_id=course.id,
                    slug=course.slug,
                    title=course.title,
                    language=course.language,
                    course_type=course.course_type,
                    required_by_ids=frozenset(required.get(course.id, ())),
                    required_by=tuple(sorted(function_names[f] for f in required.get(course.id, ()))),
                )
                for course in courses
            ),
            key=lambda c: (not c.required_by_ids, c.title.lower(), c.course_id),
        )
    cells = _cells(session, members, columns, member_ids, assignments, now, warning_days) if columns else {}
    return Snapshot(
        organisation=organisation,
        functions=functions,
        members=members,
        columns=columns,
        cells=cells,
        now=now,
        today=local_date(now),
        warning_days=warning_days,
    )


def _cells(
    session: Session,
    members: list[Member],
    columns: list[Column],
    member_ids: Select[tuple[int]],
    assignments: dict[tuple[int, int], CourseAssignment],
    now: datetime,
    warning_days: int,
) -> dict[tuple[int, int], Cell]:
    course_ids = [c.course_id for c in columns]
    certificates: dict[tuple[int, int], list[datetime | None]] = defaultdict(list)
    for user_id, course_id, valid_until in session.execute(
        select(Certificate.user_id, Certificate.course_id, Certificate.valid_until).where(
            Certificate.user_id.in_(member_ids),
            Certificate.course_id.in_(course_ids),
            Certificate.revoked_at.is_(None),
        )
    ):
        certificates[(user_id, course_id)].append(valid_until)
    enrolments = {
        (e.user_id, e.course_id): e
        for e in session.execute(
            select(
                Enrolment.id,
                Enrolment.user_id,
                Enrolment.course_id,
                Enrolment.status,
                Enrolment.cycle,
                Enrolment.enrolled_at,
                Enrolment.last_activity_at,
                Enrolment.completed_at,
            ).where(Enrolment.user_id.in_(member_ids), Enrolment.course_id.in_(course_ids))
        )
    }
    passed: dict[int, int] = dict(
        session.execute(
            select(ActivityProgress.enrolment_id, func.count())
            .join(Enrolment, Enrolment.id == ActivityProgress.enrolment_id)
            .where(
                Enrolment.user_id.in_(member_ids),
                Enrolment.course_id.in_(course_ids),
                ActivityProgress.passed_at.is_not(None),
            )
            .group_by(ActivityProgress.enrolment_id)
        ).all()
    )
    totals: dict[tuple[int, bool], int] = {
        (course_id, is_renewal): n
        for course_id, is_renewal, n in session.execute(
            select(Module.course_id, Module.is_renewal, func.count(Activity.id))
            .join(Activity, Activity.module_id == Module.id)
            .where(Module.course_id.in_(course_ids))
            .group_by(Module.course_id, Module.is_renewal)
        )
    }
    warning = now + timedelta(days=warning_days)
    cells = {}
    for member in members:
        for column in columns:
            key = (member.user_id, column.course_id)
            held = certificates.get(key, [])
            valid = [until for until in held if until is None or until > now]
            enrolment = enrolments.get(key)
            assignment = assignments.get(key)
            if valid:
                valid_until = None if None in valid else max(v for v in valid if v is not None)
                state = CellState.EXPIRING if valid_until is not None and valid_until <= warning else CellState.VALID
            else:
                valid_until = max((until for until in held if until is not None), default=None)
                if enrolment is not None and enrolment.status != EnrolmentStatus.COMPLETED:
                    state = CellState.IN_PROGRESS
                elif held:
                    state = CellState.EXPIRED
                else:
                    state = CellState.MISSING
            total = 0
            if enrolment is not None:
                total = totals.get((column.course_id, False), 0)
                if enrolment.cycle > 1:
                    total += totals.get((column.course_id, True), 0)
            cells[key] = Cell(
                state=state,
                valid_until=valid_until,
                enrolment_status=enrolment.status if enrolment else None,
                cycle=enrolment.cycle if enrolment else 1,
                done=min(passed.get(enrolment.id, 0), total) if enrolment else 0,
                total=total,
                enrolled_at=enrolment.enrolled_at if enrolment else None,
                last_activity_at=enrolment.last_activity_at if enrolment else None,
                completed_at=enrolment.completed_at if enrolment else None,
                assigned=assignment is not None,
                due_on=assignment.due_on if assignment else None,
                required=bool(member.function_ids & column.required_by_ids),
            )
    return cells


def matrix(snapshot: Snapshot, function_id: int | None = None) -> Matrix:
    """The matrix, optionally only the holders of one function (`NotFound` for a function of another organisation)."""
    function = snapshot.function(function_id) if function_id else None
    members = [m for m in snapshot.members if function is None or function.id in m.function_ids]
    rows = [
        Row(member=m, cells=tuple(snapshot.cell(m.user_id, c.course_id) for c in snapshot.columns)) for m in members
    ]
    return Matrix(columns=snapshot.columns, rows=rows, function=function)


def assigned(snapshot: Snapshot) -> list[AssignedItem]:
    """The organisation's assignments to its members, the soonest due first."""
    items = [
        AssignedItem(member=member, column=column, cell=cell)
        for member in snapshot.members
        for column in snapshot.columns
        if (cell := snapshot.cell(member.user_id, column.course_id)).assigned
    ]
    return sorted(items, key=lambda i: (i.cell.due_on is None, i.cell.due_on or date.max, i.member.name.lower()))
