"""The evaluation report's snapshot: everything a report is computed from, read at once.

`load` reads it in eight queries, whatever the size of the data: courses, enrolments, completions, certificates
valid now, memberships with their organisation's municipality, organisations, function requirements and the
holders of functions. Reading once and computing in memory lets one page compute the report for its filters and
every wider report its suppression depends on (`figures`, `services`) without a query per report or per cell.

The snapshot holds per-person rows (who enrolled, completed, holds a certificate), so it goes no further than
`build` and `options`, which return only figures and the values the filters offer; no page or download sees it.

Months are calendar months in the site's time zone. A learner's municipalities are those of their organisations
today; one in no organisation is counted under "no organisation", an organisation without one under "not given".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mso_academy.catalog.models import Course
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.learning.models import Completion, Enrolment
from mso_academy.organisations.models import FunctionRequirement, MemberFunction, Membership, Organisation, OrgFunction

# Municipality rows that are not a municipality (no real name is empty or starts with a bracket).
NO_ORGANISATION = "[none]"
NOT_GIVEN = "[not given]"


@dataclass(frozen=True)
class CourseFacts:
    id: int
    title: str
    course_type: str
    language: str


@dataclass(frozen=True)
class Event:
    user_id: int
    course_id: int
    month: date
    days: float | None = None  # completions of the first cycle: days since the enrolment


@dataclass(frozen=True)
class AreaFacts:
    organisation_id: int
    municipality: str
    area: str  # a course type
    qualified: bool


@dataclass(frozen=True)
class Facts:
    """Everything the report is computed from; it contains per-person rows and never leaves this module's callers."""

    courses: dict[int, CourseFacts]
    enrolments: list[Event]
    completions: list[Event]
    certificates: list[Event]
    municipalities: dict[int, frozenset[str]]  # user id → municipalities of their organisations
    areas: list[AreaFacts]
    organisation_municipalities: list[str]
    now: datetime

    def municipalities_of(self, user_id: int) -> frozenset[str]:
        return self.municipalities.get(user_id) or frozenset({NO_ORGANISATION})


@dataclass(frozen=True)
class Options:
    """The values the filters offer."""

    course_types: list[str]
    languages: list[str]
    municipalities: list[str]
    first_month: date | None
    last_month: date | None


def month_of(moment: datetime, tz: tzinfo) -> date:
    local = moment.astimezone(tz)
    return date(local.year, local.month, 1)


def _valid_now(now: datetime) -> Any:
    """Certificates valid at `now`: not revoked and not expired (the rule of `Certificate.state`)."""
    return and_(Certificate.revoked_at.is_(None), or_(Certificate.valid_until.is_(None), Certificate.valid_until > now))


def load(session: Session, tz: tzinfo, now: datetime | None = None) -> Facts:
    """Read the report's snapshot in eight queries."""
    now = now or utcnow()
    courses = {
        row.id: CourseFacts(row.id, row.title, row.course_type, row.language)
        for row in session.execute(select(Course.id, Course.title, Course.course_type, Course.language))
    }
    enrolments = [
        Event(user_id, course_id, month_of(enrolled_at, tz))
        for user_id, course_id, enrolled_at in session.execute(
            select(Enrolment.user_id, Enrolment.course_id, Enrolment.enrolled_at)
        )
    ]
    completions = [
        Event(
            user_id,
            course_id,
            month_of(completed_at, tz),
            (completed_at - enrolled_at).total_seconds() / 86400 if cycle == 1 else None,
        )
        for user_id, course_id, enrolled_at, completed_at, cycle in session.execute(
            select(
                Enrolment.user_id, Enrolment.course_id, Enrolment.enrolled_at, Completion.completed_at, Completion.cycle
            ).join(Enrolment, Enrolment.id == Completion.enrolment_id)
        )
    ]
    # One per person and course (a renewed certificate may overlap the old one): the latest issued.
    latest: dict[tuple[int, int], datetime] = {}
    for user_id, course_id, issued_at in session.execute(
        select(Certificate.user_id, Certificate.course_id, Certificate.issued_at).where(
            Certificate.user_id.is_not(None), Certificate.course_id.is_not(None), _valid_now(now)
        )
    ):
        if (user_id, course_id) not in latest or issued_at > latest[(user_id, course_id)]:
            latest[(user_id, course_id)] = issued_at
    certificates = [
        Event(user_id, course_id, month_of(issued_at, tz))
        for (user_id, course_id), issued_at in latest.items()
        if course_id in courses
    ]
    organisations = {
        org_id: (municipality or "").strip() or NOT_GIVEN
        for org_id, municipality in session.execute(select(Organisation.id, Organisation.municipality))
    }
    municipalities: dict[int, set[str]] = defaultdict(set)
    for user_id, org_id in session.execute(select(Membership.user_id, Membership.organisation_id)):
        municipalities[user_id].add(organisations[org_id])
    areas = _qualification(session, courses, organisations, set(latest))
    return Facts(
        courses=courses,
        enrolments=[e for e in enrolments if e.course_id in courses],
        completions=[e for e in completions if e.course_id in courses],
        certificates=certificates,
        municipalities={user_id: frozenset(names) for user_id, names in municipalities.items()},
        areas=areas,
        organisation_municipalities=sorted({m for m in organisations.values() if m != NOT_GIVEN}, key=str.lower),
        now=now,
    )


def _qualification(
    session: Session,
    courses: Mapping[int, CourseFacts],
    organisations: Mapping[int, str],
    valid: set[tuple[int, int]],
) -> list[AreaFacts]:
    """Per organisation and area: qualified when every requirement whose course is of that type is met, i.e. at
    least `min_holders` holders of the function hold a valid certificate of the course (the rule of
    `qualification.status`, computed for all organisations at once in two queries)."""
    holders: dict[int, set[int]] = defaultdict(set)
    for function_id, user_id in session.execute(
        select(MemberFunction.function_id, Membership.user_id).join(
            Membership, Membership.id == MemberFunction.membership_id
        )
    ):
        holders[function_id].add(user_id)
    met: dict[tuple[int, str], bool] = {}
    for org_id, function_id, course_id, min_holders in session.execute(
        select(
            OrgFunction.organisation_id,
            FunctionRequirement.function_id,
            FunctionRequirement.course_id,
            FunctionRequirement.min_holders,
        ).join(OrgFunction, OrgFunction.id == FunctionRequirement.function_id)
    ):
        course = courses.get(course_id)
        if course is None:
            continue
        held = sum(1 for user_id in holders[function_id] if (user_id, course_id) in valid)
        key = (org_id, course.course_type)
        met[key] = met.get(key, True) and held >= min_holders
    return [
        AreaFacts(org_id, organisations[org_id], area, qualified)
        for (org_id, area), qualified in sorted(met.items())
        if org_id in organisations
    ]


def options(facts: Facts) -> Options:
    months = [e.month for e in (*facts.enrolments, *facts.completions, *facts.certificates)]
    return Options(
        course_types=sorted({c.course_type for c in facts.courses.values()}),
        languages=sorted({c.language for c in facts.courses.values()}),
        municipalities=facts.organisation_municipalities,
        first_month=min(months, default=None),
        last_month=max(months, default=None),
    )
