"""Names of the report's figures, tables and categories, in the reader's language (page, charts and downloads)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, format_number
from flask_babel import gettext as _

from mso_academy.plugins.manager import plugins
from mso_academy.reports import services
from mso_academy.reports.services import Row, Shown
from mso_academy.templating import LANGUAGE_NAMES

WITHHELD = "< 5"  # every withheld figure, whatever its reason: the reader cannot tell which ones are small


def measure(name: str) -> str:
    return {
        services.PARTICIPANTS: _("Participants"),
        services.ENROLMENTS: _("Enrolments"),
        services.COMPLETIONS: _("Completions"),
        services.CERTIFICATES: _("Certificates valid"),
    }[name]


def dimension(name: str) -> str:
    return {
        services.COURSE_TYPE: _("Per course type"),
        services.COURSE: _("Per course"),
        services.MONTH: _("Per month"),
        services.MUNICIPALITY: _("Per municipality"),
        services.LANGUAGE: _("Per course language"),
    }[name]


def category_heading(name: str) -> str:
    return {
        services.COURSE_TYPE: _("Course type"),
        services.COURSE: _("Course"),
        services.MONTH: _("Month"),
        services.MUNICIPALITY: _("Municipality"),
        services.LANGUAGE: _("Course language"),
    }[name]


def course_type(slug: str) -> str:
    registered = plugins().course_type(slug)
    return str(registered.name) if registered is not None else slug


def language(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def municipality(name: str) -> str:
    if name == services.NO_ORGANISATION:
        return _("No organisation")
    if name == services.NOT_GIVEN:
        return _("Municipality not given")
    return name


def month(value: date, machine: bool = False) -> str:
    return value.strftime("%Y-%m") if machine else format_date(value, "LLLL y")


def category(name: str, row: Row, machine: bool = False) -> str:
    """The row's name; `machine`: months as YYYY-MM (downloads)."""
    key: Any = row.key
    if name == services.COURSE_TYPE:
        return course_type(key)
    if name == services.COURSE:
        return row.title
    if name == services.MONTH:
        return month(key, machine)
    if name == services.MUNICIPALITY:
        return municipality(key)
    return language(key)


def figure(shown: Shown) -> str:
    return WITHHELD if shown.value is None else format_number(shown.value)


def days(value: float | None) -> str:
    return "" if value is None else format_decimal(value, "#,##0.0")


def period(filters: services.Filters) -> str:
    if not filters.has_period:
        return _("All months")
    start = month(filters.start) if filters.start else _("the beginning")
    end = month(filters.end) if filters.end else _("today")
    return _("%(start)s to %(end)s", start=start, end=end)


def selection(filters: services.Filters) -> list[tuple[str, str]]:
    """The filters in words, for the page and the downloads."""
    return [
        (_("Period"), period(filters)),
        (_("Course type"), course_type(filters.course_type) if filters.course_type else _("All")),
        (_("Course language"), language(filters.language) if filters.language else _("All")),
        (_("Municipality"), filters.municipality or _("All")),
    ]
