"""The application form: field names, reading a posted form leniently (draft) or strictly (hand-in).

Field names: ``title``, ``goal``, ``target_group``, ``measures``; rows ``ind-<i>-what|target|by`` (indicators),
``step-<i>-date|text`` (timetable), ``cost-<i>-category|text|amount`` (cost plan); ``fin-own``, ``fin-hours``,
``fin-third``, ``fin-grant`` (financing plan). Drafts and answers share one shape, so the form is refilled from
either.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from mso_academy.plugins.api import AnswerError, FormData, gettext

from .money import MoneyError, german_date, parse_amount, parse_date, store

TEXT_FIELDS = ("title", "goal", "target_group", "measures")
MAX_TEXT = 4000
MAX_ROWS = 30
ROWS = {
    "indicators": ("ind", ("what", "target", "by")),
    "timetable": ("step", ("date", "text")),
    "costs": ("cost", ("category", "text", "amount")),
}
FINANCING = {"own_funds": "fin-own", "volunteer_hours": "fin-hours", "third_party": "fin-third", "grant": "fin-grant"}
MAX_HOURS = Decimal("100000")


def _clean(raw: Any, limit: int = MAX_TEXT) -> str:
    text = raw.replace("\r\n", "\n").strip() if isinstance(raw, str) else ""
    if len(text) > limit:
        raise AnswerError(gettext("A field is too long: at most %(count)d characters, please.", count=limit))
    return text


def read_draft(form: FormData) -> dict[str, Any]:
    """Everything the learner typed, as text; empty rows dropped. Only over-long input is refused."""
    values: dict[str, Any] = {name: _clean(form.get(name)) for name in TEXT_FIELDS}
    for section, (prefix, names) in ROWS.items():
        rows = []
        for i in range(MAX_ROWS):
            row = {name: _clean(form.get(f"{prefix}-{i}-{name}"), 500) for name in names}
            if any(row.values()):
                rows.append(row)
        values[section] = rows
    values["financing"] = {key: _clean(form.get(field), 40) for key, field in FINANCING.items()}
    return values


def read_answers(categories: Mapping[str, Mapping[str, Any]], form: FormData) -> dict[str, Any]:
    """The complete application, amounts exact; `AnswerError` names the first field to fix."""
    values = read_draft(form)
    labels = {
        "title": gettext("Project title"),
        "goal": gettext("Goal"),
        "target_group": gettext("Target group"),
        "measures": gettext("Measures"),
    }
    for name, label in labels.items():
        if not values[name]:
            raise AnswerError(gettext("Please fill in: %(field)s.", field=label))
    for n, row in enumerate(values["indicators"], start=1):
        if not row["what"] or not row["target"] or not row["by"]:
            raise AnswerError(
                gettext("Indicator %(n)d: a SMART indicator needs what is measured, a target and a date.", n=n)
            )
        if not row["target"].isdigit() or int(row["target"]) <= 0:
            raise AnswerError(gettext("Indicator %(n)d: the target must be a whole number above 0.", n=n))
        row["by"] = _iso(row["by"], gettext("Indicator %(n)d", n=n))
    if not values["indicators"]:
        raise AnswerError(gettext("Please write at least one indicator (what, target, by when)."))
    for n, row in enumerate(values["timetable"], start=1):
        if not row["date"] or not row["text"]:
            raise AnswerError(gettext("Timetable step %(n)d needs a date and a description.", n=n))
        row["date"] = _iso(row["date"], gettext("Timetable step %(n)d", n=n))
    if not values["timetable"]:
        raise AnswerError(gettext("Please plan at least one step in the timetable."))
    for n, row in enumerate(values["costs"], start=1):
        if row["category"] not in categories:
            raise AnswerError(gettext("Cost line %(n)d: please choose a category.", n=n))
        if not row["text"]:
            raise AnswerError(gettext("Cost line %(n)d: please describe the cost.", n=n))
        row["amount"] = _amount(row["amount"], gettext("Cost line %(n)d", n=n), required=True)
    if not values["costs"]:
        raise AnswerError(gettext("Please enter at least one cost line."))
    fin = values["financing"]
    fin["own_funds"] = _amount(fin["own_funds"], gettext("Own money"))
    fin["third_party"] = _amount(fin["third_party"], gettext("Other funds"))
    fin["grant"] = _amount(fin["grant"], gettext("Requested grant"), required=True)
    try:
        hours = parse_amount(fin["volunteer_hours"] or "0")
    except MoneyError:
        raise AnswerError(gettext("Volunteer hours: please enter a number such as 40 or 12,5.")) from None
    if hours > MAX_HOURS:
        raise AnswerError(gettext("Volunteer hours: please enter a number such as 40 or 12,5."))
    fin["volunteer_hours"] = format(hours.normalize(), "f") if hours else "0"
    return values


def _iso(raw: str, where: str) -> str:
    try:
        return parse_date(raw).isoformat()
    except ValueError:
        raise AnswerError(gettext("%(where)s: please enter a date such as 15.05.2027.", where=where)) from None


def _amount(raw: str, where: str, required: bool = False) -> str:
    if not raw and not required:
        return "0.00"
    try:
        return store(parse_amount(raw))
    except MoneyError:
        raise AnswerError(
            gettext("%(where)s: please enter an amount in euros such as 1250 or 1.250,50.", where=where)
        ) from None


def shown(value: Any) -> str:
    """A stored value as the form shows it again (dates in German notation, amounts with a comma)."""
    text = str(value or "")
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return german_date(text)
    if text.replace(".", "", 1).isdigit() and "." in text and len(text.split(".")[1]) == 2:
        return text.replace(".", ",")
    return text
