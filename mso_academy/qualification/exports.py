"""CSV and XLSX downloads of the certificate matrix and of the members' progress, safe in any spreadsheet.

Names, e-mail addresses, function names and course titles are written by people; a spreadsheet would run such a
cell as a formula when it starts with `=`, `+`, `-`, `@`, a tab or a carriage return (`=HYPERLINK(…)`). Every
text cell that starts like that gets a leading `'`; in XLSX every text cell is also stored as a string cell
(never a formula) and a neutralised one carries Excel's quote prefix. CSV starts with a byte order mark so that
spreadsheet programs read UTF-8 (umlauts, Arabic) correctly. Dates are ISO dates in the site's time zone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from mso_academy.organisations.models import MemberRole
from mso_academy.qualification.dates import local_date
from mso_academy.qualification.matrix import Cell, CellState, Matrix, state_label
from mso_academy.spreadsheets import spreadsheet_safe

Value = str | int | date | None

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    title: str  # the worksheet's name
    header: list[str]
    rows: list[list[Value]]


def _day(moment: datetime | None) -> date | None:
    return local_date(moment) if moment else None


def _role(role: str) -> str:
    return _("Manager") if role == MemberRole.MANAGER else _("Member")


def cell_text(cell: Cell) -> str:
    """A matrix cell in words, e.g. "Valid until 2027-03-31" or "Missing; due 2026-05-01"."""
    until = local_date(cell.valid_until).isoformat() if cell.valid_until else None
    if cell.state == CellState.VALID:
        text = _("Valid until %(date)s", date=until) if until else _("Valid without time limit")
    elif cell.state == CellState.EXPIRING:
        text = _("Expires on %(date)s", date=until)
    elif cell.state == CellState.EXPIRED and until:
        text = _("Expired on %(date)s", date=until)
    elif cell.state == CellState.IN_PROGRESS:
        text = _("In progress: %(done)d of %(total)d done", done=cell.done, total=cell.total)
    else:
        text = state_label(cell.state)
    if cell.due_on and not cell.holds:
        text += "; " + _("due %(date)s", date=cell.due_on.isoformat())
    return text


def enrolment_label(cell: Cell) -> str:
    if cell.enrolment_status is None:
        return _("Not enrolled")
    if cell.enrolment_status == "completed":
        return _("Completed")
    return _("Renewing") if cell.cycle > 1 else _("In progress")


def matrix_table(matrix: Matrix) -> Table:
    header = [_("Name"), _("E-mail"), _("Role"), _("Functions"), *(c.title for c in matrix.columns)]
    rows: list[list[Value]] = [
        [
            row.member.name,
            row.member.email,
            _role(row.member.role),
            ", ".join(row.member.functions),
            *(cell_text(cell) for cell in row.cells),
        ]
        for row in matrix.rows
    ]
    return Table(title=_("Certificates"), header=header, rows=rows)


def progress_table(matrix: Matrix) -> Table:
    """One row per member and course of the matrix: enrolment, progress, due date and certificate."""
    header = [
        _("Name"),
        _("E-mail"),
        _("Functions"),
        _("Course"),
        _("Required for a function"),
        _("Enrolment"),
        _("Activities done"),
        _("Activities"),
        _("Progress (%)"),
        _("Enrolled on"),
        _("Last activity"),
        _("Completed on"),
        _("Due on"),
        _("Certificate"),
        _("Valid until"),
    ]
    rows: list[list[Value]] = []
    for row in matrix.rows:
        for column, cell in row.items(matrix.columns):
            rows.append(
                [
                    row.member.name,
                    row.member.email,
                    ", ".join(row.member.functions),
                    column.title,
                    _("yes") if cell.required else _("no"),
                    enrolment_label(cell),
                    cell.done if cell.enrolment_status else None,
                    cell.total if cell.enrolment_status else None,
                    cell.percent if cell.enrolment_status else None,
                    _day(cell.enrolled_at),
                    _day(cell.last_activity_at),
                    _day(cell.completed_at),
                    cell.due_on,
                    state_label(cell.state),
                    _day(cell.valid_until),
                ]
            )
    return Table(title=_("Progress"), header=header, rows=rows)


# --- writing ------------------------------------------------------------------------------------------------


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return spreadsheet_safe(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_text(cell) for cell in table.header])
    writer.writerows([_text(cell) for cell in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(table.title)
    _write_row(sheet, 1, table.header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(table.rows, start=2):
        _write_row(sheet, number, row)
    sheet.freeze_panes = "B2"
    for index, name in enumerate(table.header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(max(len(name), 12), 40)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_row(sheet: Worksheet, number: int, values: Sequence[Value]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=number, column=column)
        if value is None:
            continue
        if isinstance(value, date):
            cell.value = value
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, int):
            cell.value = value
        else:
            raw = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot carry
            text = spreadsheet_safe(raw)
            cell.value = text
            cell.data_type = "s"  # a string cell, whatever it looks like: never a formula
            if text != raw:
                cell.quotePrefix = True
