"""The true figures of one report (one set of filters), before anything is withheld.

What is counted (in the filtered period, of the filtered courses, learners and municipality):

  participants         distinct people with an enrolment (made in the period)
  enrolments           enrolments made in the period
  completions          completions in the period (a renewal of a certificate is a completion too)
  certificates valid   people × courses with a certificate valid today that was issued in the period
  median days          from enrolment to the first completion, of the completions in the period

Per month: the month of the enrolment, the completion or the issue of the certificate. Per municipality: the
municipalities of the learner's organisations today; a learner in organisations in two municipalities counts in
both, a learner in no organisation under "no organisation".

Each figure is named by a cell key that is the same in every report that shows it (`cell_key`), and the figures
keep the people they count and the groups of cells that add up to a total: suppression needs both, to withhold
a cell about few people and the cells that would give it away, here and in the wider reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from mso_academy.reports.data import NO_ORGANISATION, NOT_GIVEN, CourseFacts, Event, Facts
from mso_academy.reports.suppression import Group

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


# --- one report's true figures ------------------------------------------------------------------------------


@dataclass
class _Figure:
    events: int = 0
    people: set[int] = field(default_factory=set)


@dataclass
class View:
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


def aggregate(facts: Facts, filters: Filters) -> View:
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
    view = View(filters, dict(figures), rows, [], len(population), dict(days))
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
