"""The funding call an application is written against, and the checks of a financing plan against it.

Content document of the application builder (``call`` is the funding call as data)::

    instructions: |                 # Markdown: the task
      Ihr Verein plant ...
    minutes: 45
    call:
      title: Aufruf „Gemeinsam im Quartier“ (fiktiv)
      funder: Stadt Musterstadt, Amt für Integration
      text: |                       # Markdown: the call as the funder writes it
        ...
      max_grant: "8000.00"          # highest grant in euros
      min_own_share_percent: 10     # own contribution (own money + volunteer work) in % of total costs
      volunteer_work: true          # may volunteer work count as own contribution?
      volunteer_hourly_rate: "15.00"
      project_start: "2027-03-01"
      project_end: "2027-12-31"
      cost_categories:
        - {key: honorare, label: Honorare, eligible: true}
        - {key: geraete, label: Anschaffung von Geräten, eligible: false, reason: Der Aufruf fördert keine Geräte.}

Every rule a check applies is named in its message, so a failed check teaches the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mso_academy.plugins.api import ContentProblem, check_key, gettext, is_text

from .money import MoneyError, euro, load, parse_amount, parse_date, percent

MAX_CATEGORIES = 20


@dataclass(frozen=True)
class Call:
    """A validated call, with amounts as Decimal and dates as date."""

    title: str
    max_grant: Decimal
    min_own_share_percent: Decimal
    volunteer_work: bool
    volunteer_hourly_rate: Decimal
    project_start: date
    project_end: date
    categories: dict[str, Mapping[str, Any]]

    @classmethod
    def of(cls, content: Mapping[str, Any]) -> Call:
        call = content.get("call") or {}
        return cls(
            title=str(call.get("title", "")),
            max_grant=load(call.get("max_grant")),
            min_own_share_percent=Decimal(str(call.get("min_own_share_percent", 0))),
            volunteer_work=call.get("volunteer_work") is True,
            volunteer_hourly_rate=load(call.get("volunteer_hourly_rate")),
            project_start=parse_date(call.get("project_start")),
            project_end=parse_date(call.get("project_end")),
            categories={c["key"]: c for c in call.get("cost_categories", []) if isinstance(c, Mapping)},
        )


def validate_call(content: Mapping[str, Any]) -> list[ContentProblem]:
    """Problems with ``call`` (field paths such as ``call.cost_categories.2.label``)."""
    call = content.get("call")
    if not isinstance(call, Mapping):
        return [ContentProblem("call", "the funding call is missing: a mapping with title, max_grant, … is needed")]
    problems: list[ContentProblem] = []
    for name in ("title", "funder", "text"):
        if not isinstance(call.get(name), str) or not call.get(name, "").strip():
            problems.append(ContentProblem(f"call.{name}", f"call.{name} must be a non-empty text"))
    try:
        if parse_amount(call.get("max_grant")) <= 0:
            raise MoneyError("0")
    except MoneyError:
        problems.append(ContentProblem("call.max_grant", 'max_grant must be an amount above 0, e.g. "8000.00"'))
    share = call.get("min_own_share_percent")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 100:
        problems.append(ContentProblem("call.min_own_share_percent", "min_own_share_percent must be 0 to 100"))
    if not isinstance(call.get("volunteer_work"), bool):
        problems.append(ContentProblem("call.volunteer_work", "volunteer_work must be true or false"))
    elif call["volunteer_work"]:
        try:
            if parse_amount(call.get("volunteer_hourly_rate")) <= 0:
                raise MoneyError("0")
        except MoneyError:
            problems.append(
                ContentProblem("call.volunteer_hourly_rate", "volunteer_hourly_rate must be an amount above 0")
            )
    dates: dict[str, date] = {}
    for name in ("project_start", "project_end"):
        try:
            dates[name] = parse_date(call.get(name))
        except ValueError:
            problems.append(ContentProblem(f"call.{name}", f'{name} must be a date such as "2027-03-01"'))
    if len(dates) == 2 and dates["project_end"] <= dates["project_start"]:
        problems.append(ContentProblem("call.project_end", "project_end must be after project_start"))
    problems.extend(_validate_categories(call.get("cost_categories")))
    return problems


def _validate_categories(categories: Any) -> list[ContentProblem]:
    if not isinstance(categories, list) or not categories:
        return [ContentProblem("call.cost_categories", "cost_categories must be a list of at least one category")]
    if len(categories) > MAX_CATEGORIES:
        return [ContentProblem("call.cost_categories", f"at most {MAX_CATEGORIES} cost categories")]
    problems: list[ContentProblem] = []
    seen: set[str] = set()
    eligible = 0
    for i, cat in enumerate(categories):
        at = f"call.cost_categories.{i}"
        if not isinstance(cat, Mapping):
            problems.append(ContentProblem(at, "each cost category is a mapping with key, label and eligible"))
            continue
        problems += check_key(at, cat, seen, "cost categories", lowercase=True)
        if not is_text(cat.get("label")):
            problems.append(ContentProblem(f"{at}.label", "label must be a non-empty text"))
        if not isinstance(cat.get("eligible"), bool):
            problems.append(ContentProblem(f"{at}.eligible", "eligible must be true or false"))
        elif cat["eligible"]:
            eligible += 1
        elif not isinstance(cat.get("reason"), str) or not cat["reason"].strip():
            problems.append(ContentProblem(f"{at}.reason", "an ineligible category needs a reason (shown to learners)"))
    if not eligible and not problems:
        problems.append(ContentProblem("call.cost_categories", "at least one category must be eligible"))
    return problems


# --- the checks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    costs: Decimal  # cost lines plus the value of volunteer work
    volunteer_value: Decimal
    own: Decimal  # own money plus volunteer work
    financing: Decimal

    def as_dict(self) -> dict[str, str]:
        return {name: format(getattr(self, name), "f") for name in ("costs", "volunteer_value", "own", "financing")}


def totals(call: Call, answers: Mapping[str, Any]) -> Totals:
    fin = answers.get("financing", {})
    hours = Decimal(str(fin.get("volunteer_hours") or 0))
    volunteer = (hours * call.volunteer_hourly_rate).quantize(Decimal("0.01")) if call.volunteer_work else Decimal(0)
    lines = sum((load(c.get("amount")) for c in answers.get("costs", [])), Decimal("0.00"))
    own_money = load(fin.get("own_funds"))
    financing = own_money + volunteer + load(fin.get("third_party")) + load(fin.get("grant"))
    return Totals(costs=lines + volunteer, volunteer_value=volunteer, own=own_money + volunteer, financing=financing)


def run_checks(content: Mapping[str, Any], answers: Mapping[str, Any]) -> tuple[list[dict[str, Any]], Totals]:
    """Each check: key, ok, and a message that states the rule and the learner's numbers."""
    call = Call.of(content)
    t = totals(call, answers)
    fin = answers.get("financing", {})
    grant = load(fin.get("grant"))
    checks: list[dict[str, Any]] = []

    def add(key: str, ok: bool, message: str) -> None:
        checks.append({"key": key, "ok": ok, "message": message})

    diff = t.financing - t.costs
    add(
        "balance",
        diff == 0,
        gettext(
            "The financing plan balances: costs %(costs)s, financing %(fin)s.",
            costs=euro(t.costs),
            fin=euro(t.financing),
        )
        if diff == 0
        else gettext(
            "The financing plan must balance to the cent: total costs %(costs)s, total financing %(fin)s "
            "(difference %(diff)s). Funders only approve a plan in which income and costs are equal.",
            costs=euro(t.costs),
            fin=euro(t.financing),
            diff=euro(diff),
        ),
    )
    share = percent(t.own, t.costs)
    add(
        "own_share",
        t.costs > 0 and share >= call.min_own_share_percent,
        gettext(
            "Your own contribution is %(own)s, that is %(share)s %% of the total costs; the call asks for at least "
            "%(min)s %% (own money plus, where the call allows it, volunteer work).",
            own=euro(t.own),
            share=str(share).replace(".", ","),
            min=_num(call.min_own_share_percent),
        ),
    )
    hours = Decimal(str(fin.get("volunteer_hours") or 0))
    add(
        "volunteer",
        call.volunteer_work or hours == 0,
        gettext(
            "Volunteer work counts at %(rate)s per hour: %(hours)s hours are worth %(value)s, shown as a cost and "
            "as own contribution.",
            rate=euro(call.volunteer_hourly_rate),
            hours=_num(hours),
            value=euro(t.volunteer_value),
        )
        if call.volunteer_work
        else gettext(
            "This call does not count volunteer work as own contribution; enter 0 hours and plan own money instead."
        ),
    )
    bad = [c for c in answers.get("costs", []) if not call.categories.get(c.get("category"), {}).get("eligible")]
    add(
        "eligible",
        not bad,
        gettext("Every cost line belongs to a category the call funds.")
        if not bad
        else gettext(
            "Not eligible under this call: %(lines)s. Only costs the call names as eligible may be in the plan.",
            lines="; ".join(_ineligible(call, c) for c in bad),
        ),
    )
    add(
        "max_grant",
        0 < grant <= call.max_grant,
        gettext(
            "You request %(grant)s; the call grants at most %(max)s (and the request must be above 0).",
            grant=euro(grant),
            max=euro(call.max_grant),
        ),
    )
    outside = [d for d in _dates(answers) if not call.project_start <= d <= call.project_end]
    add(
        "dates",
        not outside,
        gettext(
            "Every date of the timetable and the indicators lies in the project period %(start)s – %(end)s.",
            start=call.project_start.strftime("%d.%m.%Y"),
            end=call.project_end.strftime("%d.%m.%Y"),
        )
        if not outside
        else gettext(
            "Dates outside the project period %(start)s – %(end)s: %(dates)s. Costs and results outside the "
            "period cannot be funded.",
            start=call.project_start.strftime("%d.%m.%Y"),
            end=call.project_end.strftime("%d.%m.%Y"),
            dates=", ".join(d.strftime("%d.%m.%Y") for d in outside),
        ),
    )
    return checks, t


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.replace(".", ",")


def _ineligible(call: Call, line: Mapping[str, Any]) -> str:
    cat = call.categories.get(line.get("category"), {})
    reason = cat.get("reason") or gettext("unknown category")
    return f"{line.get('text', '')} ({euro(load(line.get('amount')))}): {reason}"


def _dates(answers: Mapping[str, Any]) -> list[date]:
    found = []
    for row in [*answers.get("timetable", []), *answers.get("indicators", [])]:
        value = row.get("date") or row.get("by")
        try:
            found.append(parse_date(value))
        except ValueError:
            continue
    return found
