"""The trainer's web editor for both kinds: default content and content built from the editor form.

Values a trainer typed wrongly are kept as typed, so `validate` names the field and the form shows it again.
Rows (cost categories, budget lines) are numbered fields; one empty row at the end adds a row, an emptied
label removes one. Receipts are written one per line as ``date; text; amount``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from mso_academy.plugins.api import FormData, gettext, row_indices
from mso_academy.plugins.api import form_text as _text

from .money import MoneyError, euro, german_date, load, parse_amount, store

MAX_EDITOR_ROWS = 40


def problems_under(problems: Any, prefix: str) -> list[Any]:
    """The problems of a field and everything under it (``lines.2.receipts.`` → each receipt's problems)."""
    return [p for p in problems if str(getattr(p, "field", "")).startswith(prefix)]


class TemplateHelpers:
    """What the templates of both kinds call on ``kind``: amounts and dates in German notation, and the problems
    of one editor field."""

    @staticmethod
    def euro(value: Any) -> str:
        return euro(load(value))

    @staticmethod
    def german_date(value: Any) -> str:
        return german_date(value)

    @staticmethod
    def problems_under(problems: Any, prefix: str) -> list[Any]:
        return problems_under(problems, prefix)


def _int_or_text(raw: str) -> Any:
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw


def _amount_or_text(raw: str) -> str:
    try:
        return store(parse_amount(raw))
    except MoneyError:
        return raw


def slug(text: str, taken: set[str]) -> str:
    """A key from a label: ``Honorare für Kursleitung`` → ``honorare-fur-kursleitung`` (unique in `taken`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:36] or "zeile"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def _labelled_rows(form: FormData, prefix: str, taken: set[str]) -> Iterator[tuple[str, str, str]]:
    """``(field prefix, key, label)`` of each numbered editor row with a label; an emptied label removes the row.

    A row keeps its key (answers refer to it); a new or doubled one gets a key made from its label.
    """
    for index in row_indices(form, prefix, MAX_EDITOR_ROWS):
        at = f"{prefix}-{index}-"
        label = _text(form, at + "label")
        if not label:
            continue
        key = _text(form, at + "key")
        if key and key not in taken:
            taken.add(key)
        else:
            key = slug(label, taken)
        yield at, key, label


# --- application builder ------------------------------------------------------------------------------------


def default_application() -> dict[str, Any]:
    return {
        "instructions": gettext("Describe the project your association plans and write the application."),
        "minutes": 45,
        "call": {
            "title": gettext("Funding call"),
            "funder": gettext("Funder"),
            "text": gettext("Describe the call: what it funds, for whom, and by when."),
            "max_grant": "5000.00",
            "min_own_share_percent": 10,
            "volunteer_work": True,
            "volunteer_hourly_rate": "15.00",
            "project_start": "2027-03-01",
            "project_end": "2027-12-31",
            "cost_categories": [
                {"key": "honorare", "label": gettext("Fees"), "eligible": True},
                {"key": "sachkosten", "label": gettext("Materials"), "eligible": True},
            ],
        },
    }


def application_from_form(form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
    old = previous.get("call") if isinstance(previous.get("call"), Mapping) else {}
    categories: list[dict[str, Any]] = []
    taken: set[str] = set()
    for at, key, label in _labelled_rows(form, "cat", taken):
        cat: dict[str, Any] = {"key": key, "label": label, "eligible": form.get(at + "eligible") == "1"}
        if not cat["eligible"]:
            cat["reason"] = _text(form, at + "reason")
        categories.append(cat)
    call = {
        **{k: v for k, v in old.items() if k not in {"cost_categories"}},
        "title": _text(form, "call-title"),
        "funder": _text(form, "call-funder"),
        "text": _text(form, "call-text"),
        "max_grant": _amount_or_text(_text(form, "call-max_grant")),
        "min_own_share_percent": _int_or_text(_text(form, "call-min_own_share_percent")),
        "volunteer_work": form.get("call-volunteer_work") == "1",
        "volunteer_hourly_rate": _amount_or_text(_text(form, "call-volunteer_hourly_rate")),
        "project_start": _text(form, "call-project_start"),
        "project_end": _text(form, "call-project_end"),
        "cost_categories": categories,
    }
    content = {**previous, "instructions": _text(form, "instructions"), "call": call}
    minutes = _int_or_text(_text(form, "minutes"))
    if minutes is not None:
        content["minutes"] = minutes
    return content


# --- spending report ----------------------------------------------------------------------------------------


def default_spending() -> dict[str, Any]:
    return {
        "instructions": gettext("Compare the approved budget with the receipts and mark each deviation."),
        "minutes": 30,
        "tolerance_percent": 20,
        "pass_mark": 80,
        "lines": [
            {
                "key": "honorare",
                "label": gettext("Fees"),
                "planned": "1000.00",
                "receipts": [{"date": "2027-04-10", "text": gettext("Fee, April"), "amount": "500.00"}],
            }
        ],
    }


def receipts_text(receipts: Any) -> str:
    """Receipts as the editor shows them: one per line, ``date; text; amount``."""
    if not isinstance(receipts, list):
        return ""
    rows = []
    for r in receipts:
        if isinstance(r, Mapping):
            rows.append(f"{r.get('date', '')}; {r.get('text', '')}; {r.get('amount', '')}")
    return "\n".join(rows)


def _receipts(text: str) -> list[Any]:
    receipts: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) != 3:
            receipts.append(line.strip())  # kept as typed; validate says what is expected
            continue
        receipts.append({"date": parts[0], "text": parts[1], "amount": _amount_or_text(parts[2])})
    return receipts


def spending_from_form(form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    taken: set[str] = set()
    for at, key, label in _labelled_rows(form, "line", taken):
        lines.append(
            {
                "key": key,
                "label": label,
                "planned": _amount_or_text(_text(form, at + "planned")),
                "receipts": _receipts(_text(form, at + "receipts")),
            }
        )
    content = {
        **previous,
        "instructions": _text(form, "instructions"),
        "tolerance_percent": _int_or_text(_text(form, "tolerance_percent")),
        "pass_mark": _int_or_text(_text(form, "pass_mark")),
        "lines": lines,
    }
    minutes = _int_or_text(_text(form, "minutes"))
    if minutes is not None:
        content["minutes"] = minutes
    return content
