"""The evaluation report for admins and the funding body: aggregates only, small cells withheld.

`load` reads what the report needs in eight queries, whatever the size of the data: courses, enrolments,
completions, certificates valid now, memberships with their organisation's municipality, organisations, function
requirements and the holders of functions. `build` computes a report from that snapshot for a set of filters
without further queries. Per-person rows stay inside this module; a `Report` holds only the figures that may be
published, withheld ones have no value at all.

What is counted (in the filtered period, of the filtered courses, learners and municipality):

  participants         distinct people with an enrolment (made in the period)
  enrolments           enrolments made in the period
  completions          completions in the period (a renewal of a certificate is a completion too)
  certificates valid   people × courses with a certificate valid today that was issued in the period
  median days          from enrolment to the first completion, of the completions in the period

Per month: the month of the enrolment, the completion or the issue of the certificate. Per municipality: the
municipalities of the learner's organisations today; a learner in organisations in two municipalities counts in
both, a learner in no organisation under "no organisation". Months are calendar months in the site's time zone.

Small cells (see `suppression`): a figure about 1–4 people is withheld, and so are the complementary figures that
would let a reader work it out from totals, across all tables of the report (they share their totals). Zeros are
shown. Two further rules cover the filters:

- A selection (filters) of 1–4 people withholds every figure of the report.
- A filtered report withholds what the report without one of its filters withholds for the same cells (the
  course type's row of the unfiltered report *is* the total of the report filtered by that course type), and its
  totals when the wider report withholds months both inside and outside the period (else two periods that
  differ by one month would tell that month).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mso_academy.catalog.models import Course
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.learning.models import Completion, Enrolment
from mso_academy.organisations.models import FunctionRequirement, MemberFunction, Membership, Organisation, OrgFunction
from mso_academy.reports.suppression import THRESHOLD, Group, is_primary, suppress

PARTICIPANTS = "participants"
ENROLMENTS = "enrolments"
COMPLETIONS = "completions"
CERTIFICATES = "certificates"
MEASURES = (PARTICIPANTS, ENROLMENTS, COMPLETIONS, CERTIFICATES)

COURSE_TYPE = "course_type"
COURSE = "course"
MONTH = "month"
MUNICIPALITY = "municipality"
LANGUAGE = "language"
DIMENSIONS = (COURSE_TYPE, COURSE, MONTH, MUNICIPALITY, LANGUAGE)

# Municipality rows that are not a municipality (no real name is empty or starts with a bracket).
NO_ORGANISATION = "[none]"
NOT_GIVEN = "[not given]"

# A cell: (measure, constraints) where constraints is a sorted tuple of (dimension, value) pairs.
CellKey = tuple[str, tuple[tuple[str, Any], ...]]


# --- filters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # the first month (its first day)
    end: date | None = None  # the last month (its first day), included
    course_type: str | None = None
    language: str | None = None
    municipality: str | None = None

    @property
    def active(self) -> bool:
        return any((self.start, self.end, self.course_type, self.language, self.municipality))

    @property
    def has_period(self) -> bool:
        return self.start is not None or self.end is not None

    def in_period(self, month: date) -> bool:
        return (self.start is None or month >= self.start) and (self.end is None or month <= self.end)

    def relaxations(self) -> list[tuple[str, Filters]]:
        """The reports with one filter less (the period counts as one filter)."""
        wider = []
        if self.has_period:
            wider.append(("period", replace(self, start=None, end=None)))
        for name in (COURSE_TYPE, LANGUAGE, MUNICIPALITY):
            if getattr(self, name) is not None:
                wider.append((name, replace(self, **{name: None})))
        return wider

    def constraints(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.has_period:
            result["period"] = (self.start, self.end)
        for name in (COURSE_TYPE, LANGUAGE, MUNICIPALITY):
            if getattr(self, name) is not None:
                result[name] = getattr(self, name)
        return result


def cell_key(measure: str, filters: Filters, dimension: str | None = None, value: Any = None) -> CellKey:
    """The cell's name, the same in every report that shows it: a course implies its type and language, a month
    within the period implies the period."""
    constraints = filters.constraints()
    if dimension is not None:
        constraints[dimension] = value
    if COURSE in constraints:
        constraints.pop(COURSE_TYPE, None)
        constraints.pop(LANGUAGE, None)
    if MONTH in constraints:
        constraints.pop("period", None)
    return measure, tuple(sorted(constraints.items()))


# --- the snapshot -------------------------------------------------------------------------------------------


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


# --- one report's true figures ------------------------------------------------------------------------------


@dataclass
class _Figure:
    events: int = 0
    people: set[int] = field(default_factory=set)


@dataclass
class _View:
    """The true figures of one report (filters), before suppression."""

    filters: Filters
    figures: dict[CellKey, _Figure]
    rows: dict[str, list[Any]]  # dimension → the categories shown, in order
    groups: list[Group[CellKey]]
    population: int
    days: dict[str | None, list[tuple[int, float]]]  # course type (None: all) → (user, days) of first completions

    def value(self, key: CellKey) -> int:
        figure = self.figures.get(key)
        if figure is None:
            return 0
        return len(figure.people) if key[0] == PARTICIPANTS else figure.events

    def people(self, key: CellKey) -> int:
        figure = self.figures.get(key)
        return len(figure.people) if figure else 0

    def key(self, measure: str, dimension: str | None = None, value: Any = None) -> CellKey:
        return cell_key(measure, self.filters, dimension, value)


def _months(first: date, last: date) -> list[date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def _aggregate(facts: Facts, filters: Filters) -> _View:
    def course_ok(course: CourseFacts) -> bool:
        return (filters.course_type is None or course.course_type == filters.course_type) and (
            filters.language is None or course.language == filters.language
        )

    def places(user_id: int) -> frozenset[str]:
        found = facts.municipalities_of(user_id)
        return found if filters.municipality is None else found & {filters.municipality}

    figures: dict[CellKey, _Figure] = defaultdict(_Figure)
    seen: dict[str, set[Any]] = {dimension: set() for dimension in DIMENSIONS}
    population: set[int] = set()
    days: dict[str | None, list[tuple[int, float]]] = defaultdict(list)

    keys: dict[tuple[str, str | None, Any], CellKey] = {}

    def key(measure: str, dimension: str | None, value: Any) -> CellKey:
        found = keys.get((measure, dimension, value))
        if found is None:
            found = keys[(measure, dimension, value)] = cell_key(measure, filters, dimension, value)
        return found

    def count(measures: Iterable[str], events: list[Event]) -> None:
        for event in events:
            course = facts.courses[event.course_id]
            if not (course_ok(course) and filters.in_period(event.month)):
                continue
            where = places(event.user_id)
            if not where:
                continue
            population.add(event.user_id)
            cells: list[tuple[str | None, Any]] = [
                (None, None),
                (COURSE_TYPE, course.course_type),
                (COURSE, course.id),
                (LANGUAGE, course.language),
                (MONTH, event.month),
                *((MUNICIPALITY, name) for name in where),
            ]
            for dimension, value in cells:
                if dimension is not None:
                    seen[dimension].add(value)
                for measure in measures:
                    figure = figures[key(measure, dimension, value)]
                    figure.events += 1
                    figure.people.add(event.user_id)
            if event.days is not None:
                days[None].append((event.user_id, event.days))
                days[course.course_type].append((event.user_id, event.days))

    count((PARTICIPANTS, ENROLMENTS), facts.enrolments)
    count((COMPLETIONS,), facts.completions)
    count((CERTIFICATES,), facts.certificates)

    courses = sorted((facts.courses[i] for i in seen[COURSE]), key=lambda c: (c.course_type, c.title.lower(), c.id))
    rows: dict[str, list[Any]] = {
        COURSE_TYPE: sorted(seen[COURSE_TYPE]),
        COURSE: [c.id for c in courses],
        MONTH: _months(min(seen[MONTH]), max(seen[MONTH])) if seen[MONTH] else [],
        MUNICIPALITY: sorted(seen[MUNICIPALITY], key=lambda m: (m in (NOT_GIVEN, NO_ORGANISATION), m.lower())),
        LANGUAGE: sorted(seen[LANGUAGE]),
    }
    view = _View(filters, dict(figures), rows, [], len(population), dict(days))
    for measure in MEASURES:
        total = view.key(measure)
        for dimension in (COURSE_TYPE, LANGUAGE, MONTH, MUNICIPALITY):
            view.groups.append(Group(tuple(view.key(measure, dimension, v) for v in rows[dimension]), total))
        # Courses nest in their type and in their language: both rows are totals of the courses.
        for dimension in (COURSE_TYPE, LANGUAGE):
            for value in rows[dimension]:
                parts = tuple(view.key(measure, COURSE, c.id) for c in courses if getattr(c, dimension) == value)
                view.groups.append(Group(parts, view.key(measure, dimension, value)))
    return view


# --- suppression across the report and the wider reports ----------------------------------------------------


@dataclass(frozen=True)
class _Protected:
    view: _View
    hidden: frozenset[CellKey]
    isolated: bool
    inherited: bool


def _all_keys(view: _View) -> list[CellKey]:
    keys = [view.key(m) for m in MEASURES]
    for dimension, values in view.rows.items():
        keys.extend(view.key(m, dimension, v) for v in values for m in MEASURES)
    return list(dict.fromkeys(keys))


def _protect(facts: Facts, filters: Filters, memo: dict[Filters, _Protected]) -> _Protected:
    if filters in memo:
        return memo[filters]
    view = _aggregate(facts, filters)
    keys = _all_keys(view)
    wider = [(name, _protect(facts, relaxed, memo)) for name, relaxed in filters.relaxations()]
    # A subset of fewer than 5 people is as small, even when it is empty ("none of them is in Bonn").
    if 0 < view.population < THRESHOLD or any(w.isolated for _name, w in wider):
        result = _Protected(view, frozenset(keys), isolated=True, inherited=False)
        memo[filters] = result
        return result
    forced: set[CellKey] = set()
    for name, report in wider:
        forced |= {k for k in keys if k in report.hidden}
        if name == "period":
            forced |= _period_totals(view, report)
    primary = {k for k in keys if is_primary(view.people(k))}
    hidden: set[CellKey] = set()
    for measure in MEASURES:
        mine = [k for k in keys if k[0] == measure]
        hidden |= suppress(
            {k: view.value(k) for k in mine},
            [k for k in mine if k in primary],
            [g for g in view.groups if g.total[0] == measure],
            [k for k in forced if k[0] == measure],
        )
    result = _Protected(view, frozenset(hidden), isolated=False, inherited=bool(forced - primary))
    memo[filters] = result
    return result


def _period_totals(view: _View, wider: _Protected) -> set[CellKey]:
    """The period's totals, unless the wider report lets a reader work them out already (all months withheld
    there lie inside the period, or all outside): a period total is the sum of its months."""
    forced = set()
    for measure in MEASURES:
        inside = outside = False
        for month in wider.view.rows[MONTH]:
            if wider.view.key(measure, MONTH, month) in wider.hidden:
                if view.filters.in_period(month):
                    inside = True
                else:
                    outside = True
        if wider.view.key(measure) in wider.hidden:
            outside = True
        if inside and outside:
            forced.add(view.key(measure))
    return forced


# --- the published report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A published figure; `value` is None when it is withheld (shown as "< 5")."""

    value: int | None

    @property
    def withheld(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Row:
    key: Any  # the category: a course type, a course id, a month, a municipality, a language
    figures: tuple[Shown, ...]  # in the order of MEASURES
    title: str = ""  # courses: their title
    course_type: str = ""  # courses: their type and language
    language: str = ""
    median_days: float | None = None  # course types: median days to completion (None: fewer than 5)

    def figure(self, measure: str) -> Shown:
        return self.figures[MEASURES.index(measure)]


@dataclass(frozen=True)
class Table:
    dimension: str
    rows: tuple[Row, ...]
    total: tuple[Shown, ...]


@dataclass(frozen=True)
class AreaRow:
    area: str  # a course type
    organisations: Shown  # organisations with a requirement in the area
    qualified: Shown


@dataclass(frozen=True)
class Report:
    filters: Filters
    totals: tuple[Shown, ...]
    median_days: float | None
    tables: dict[str, Table]
    areas: tuple[AreaRow, ...]
    isolated: bool  # the selection has 1–4 people: everything is withheld
    inherited: bool  # some figures are withheld because the report without a filter withholds them
    generated_at: datetime

    @property
    def any_withheld(self) -> bool:
        shown = [*self.totals, *(s for a in self.areas for s in (a.organisations, a.qualified))]
        shown += [s for t in self.tables.values() for r in t.rows for s in r.figures]
        return any(s.withheld for s in shown)

    def total(self, measure: str) -> Shown:
        return self.totals[MEASURES.index(measure)]


def _median(samples: list[tuple[int, float]]) -> float | None:
    """The median, only when it rests on at least 5 completions by at least 5 people."""
    if len(samples) < THRESHOLD or len({user for user, _ in samples}) < THRESHOLD:
        return None
    return round(statistics.median(days for _, days in samples), 1)


def build(facts: Facts, filters: Filters) -> Report:
    """The report for `filters`: every figure that may be published, the others withheld."""
    protected = _protect(facts, filters, {})
    view, hidden = protected.view, protected.hidden

    def shown(key: CellKey) -> Shown:
        return Shown(None) if key in hidden else Shown(view.value(key))

    def figures(dimension: str | None = None, value: Any = None) -> tuple[Shown, ...]:
        return tuple(shown(view.key(m, dimension, value)) for m in MEASURES)

    tables = {}
    for dimension in DIMENSIONS:
        rows = []
        for value in view.rows[dimension]:
            extra: dict[str, Any] = {}
            if dimension == COURSE:
                course = facts.courses[value]
                extra = {"title": course.title, "course_type": course.course_type, "language": course.language}
            if dimension == COURSE_TYPE and not protected.isolated:
                extra["median_days"] = _median(view.days.get(value, []))
            rows.append(Row(key=value, figures=figures(dimension, value), **extra))
        tables[dimension] = Table(dimension, tuple(rows), figures())
    return Report(
        filters=filters,
        totals=figures(),
        median_days=None if protected.isolated else _median(view.days.get(None, [])),
        tables=tables,
        areas=_areas(facts, filters, protected.isolated),
        isolated=protected.isolated,
        inherited=protected.inherited,
        generated_at=facts.now,
    )


def _areas(facts: Facts, filters: Filters, isolated: bool) -> tuple[AreaRow, ...]:
    """Organisations qualified per area (today; the period and the language do not apply). Counts of 1–4
    organisations are withheld like counts of people: an organisation's status says what its members hold."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for area in facts.areas:
        if filters.course_type is not None and area.area != filters.course_type:
            continue
        if filters.municipality is not None and area.municipality != filters.municipality:
            continue
        counts[area.area][0] += 1
        counts[area.area][1] += area.qualified

    def shown(n: int) -> Shown:
        return Shown(None) if isolated or is_primary(n) else Shown(n)

    return tuple(AreaRow(area, shown(total), shown(qualified)) for area, (total, qualified) in sorted(counts.items()))
