"""The evaluation report for admins and the funding body: aggregates only, small cells withheld.

`load` (in `data`) reads what the report needs into a snapshot; `build` computes a report from that snapshot for a
set of filters without further queries: the true figures (`figures`), then what must be withheld, here. A
`Report` holds only the figures that may be published, withheld ones have no value at all. The views, the
downloads and the tests import the report's names from this module.

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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mso_academy.reports.data import (
    NO_ORGANISATION,
    NOT_GIVEN,
    AreaFacts,
    CourseFacts,
    Event,
    Facts,
    Options,
    load,
    month_of,
    options,
)
from mso_academy.reports.figures import (
    CERTIFICATES,
    COMPLETIONS,
    COURSE,
    COURSE_TYPE,
    DIMENSIONS,
    ENROLMENTS,
    LANGUAGE,
    MEASURES,
    MONTH,
    MUNICIPALITY,
    PARTICIPANTS,
    CellKey,
    Filters,
    View,
    aggregate,
    cell_key,
)
from mso_academy.reports.suppression import THRESHOLD, is_primary, suppress

__all__ = [
    "CERTIFICATES",
    "COMPLETIONS",
    "COURSE",
    "COURSE_TYPE",
    "DIMENSIONS",
    "ENROLMENTS",
    "LANGUAGE",
    "MEASURES",
    "MONTH",
    "MUNICIPALITY",
    "NOT_GIVEN",
    "NO_ORGANISATION",
    "PARTICIPANTS",
    "AreaFacts",
    "AreaRow",
    "CellKey",
    "CourseFacts",
    "Event",
    "Facts",
    "Filters",
    "Options",
    "Report",
    "Row",
    "Shown",
    "Table",
    "build",
    "cell_key",
    "load",
    "month_of",
    "options",
]


# --- suppression across the report and the wider reports ----------------------------------------------------


@dataclass(frozen=True)
class _Protected:
    view: View
    hidden: frozenset[CellKey]
    isolated: bool
    inherited: bool


def _all_keys(view: View) -> list[CellKey]:
    keys = [view.key(m) for m in MEASURES]
    for dimension, values in view.rows.items():
        keys.extend(view.key(m, dimension, v) for v in values for m in MEASURES)
    return list(dict.fromkeys(keys))


def _protect(facts: Facts, filters: Filters, memo: dict[Filters, _Protected]) -> _Protected:
    if filters in memo:
        return memo[filters]
    view = aggregate(facts, filters)
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


def _period_totals(view: View, wider: _Protected) -> set[CellKey]:
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
