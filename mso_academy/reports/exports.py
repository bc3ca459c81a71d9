"""The report as CSV and XLSX: the same sections as the page, with the same withheld figures ("< 5").

Both are written from a `Report`, which holds no withheld value at all, so a download can never contain one.
Text from users (course titles, municipalities) is spreadsheet-safe: no cell starts a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mso_academy.reports import labels, services
from mso_academy.reports.services import Report, Shown
from mso_academy.spreadsheets import spreadsheet_safe

Cell = str | int | float


@dataclass(frozen=True)
class Section:
    title: str
    header: list[str]
    rows: list[list[Cell]]
    sheet: str = ""  # the spreadsheet's name for it, when the title is longer than the 31 characters allowed


def _figure(shown: Shown) -> Cell:
    return labels.WITHHELD if shown.value is None else shown.value


def _days(value: float | None) -> Cell:
    return "" if value is None else value


def sections(report: Report) -> list[Section]:
    measures = [labels.measure(m) for m in services.MEASURES]
    result = [
        Section(
            _("Selection"),
            [_("Filter"), _("Value")],
            [
                *([name, value] for name, value in labels.selection(report.filters)),
                [_("Generated"), report.generated_at.strftime("%Y-%m-%d %H:%M UTC")],
                [
                    _("Note"),
                    _(
                        "“%(marker)s”: withheld, because it concerns fewer than 5 people or would let a reader "
                        "work out such a figure from the totals.",
                        marker=labels.WITHHELD,
                    ),
                ],
            ],
        ),
        Section(
            _("Overview"),
            [_("Figure"), _("Value")],
            [
                *([labels.measure(m), _figure(report.total(m))] for m in services.MEASURES),
                [_("Median days from enrolment to completion"), _days(report.median_days)],
            ],
        ),
    ]
    for name, table in report.tables.items():
        extra = [_("Course type"), _("Course language")] if name == services.COURSE else []
        median = [_("Median days to completion")] if name == services.COURSE_TYPE else []
        rows: list[list[Cell]] = []
        for row in table.rows:
            context = [labels.course_type(row.course_type), labels.language(row.language)] if extra else []
            rows.append(
                [
                    labels.category(name, row, machine=True),
                    *context,
                    *(_figure(s) for s in row.figures),
                    *([_days(row.median_days)] if median else []),
                ]
            )
        rows.append([_("Total"), *([""] * len(extra)), *(_figure(s) for s in table.total), *([""] if median else [])])
        result.append(
            Section(labels.dimension(name), [labels.category_heading(name), *extra, *measures, *median], rows)
        )
    result.append(
        Section(
            _("Organisations qualified per area"),
            [_("Area"), _("Organisations with requirements"), _("Organisations qualified")],
            [[labels.course_type(a.area), _figure(a.organisations), _figure(a.qualified)] for a in report.areas],
            sheet=_("Qualified organisations"),
        )
    )
    return result


def _safe(cell: Cell) -> Cell:
    return spreadsheet_safe(cell) if isinstance(cell, str) else cell


def to_csv(report: Report) -> bytes:
    """UTF-8 with a byte order mark (spreadsheet programs then read umlauts and Arabic right); one section after
    the other, each a title line, a header and its rows, separated by an empty line."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, section in enumerate(sections(report)):
        if index:
            writer.writerow([])
        writer.writerow([_safe(section.title)])
        writer.writerow([_safe(c) for c in section.header])
        writer.writerows([_safe(c) for c in row] for row in section.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31].strip() or "Sheet"
    name, n = cleaned, 2
    while name in used:
        suffix = f" ({n})"
        name, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def to_xlsx(report: Report) -> bytes:
    """One sheet per section; figures as numbers, withheld ones as the text "< 5"."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for section in sections(report):
        sheet = workbook.create_sheet(_sheet_title(section.sheet or section.title, used))
        sheet.append([_safe(c) for c in section.header])
        for cell in sheet[1]:
            cell.font = bold
        for row in section.rows:
            sheet.append([_safe(c) for c in row])
        sheet.freeze_panes = "A2"
        for index, _header in enumerate(section.header, start=1):
            width = max(len(str(r[index - 1])) for r in [section.header, *section.rows])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
