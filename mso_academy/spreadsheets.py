"""Cells for CSV and XLSX exports that no spreadsheet program runs as a formula (CSV/formula injection)."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is evaluated by Excel or LibreOffice (=, +, -, @, and tab/CR tricks).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """The cell as text that no spreadsheet runs as a formula: a leading `=`, `+`, `-`, `@`, tab or CR gets `'`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
