"""The trainer's web editor: build content documents from the editor forms of both kinds.

Values stay as typed (validation names what is wrong); rows with "delete" ticked are dropped; an empty extra row is
ignored. Existing keys are kept, because learners' answers refer to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mso_academy.plugins.api import FormData, form_number, free_key, row_indices
from mso_academy.plugins.api import form_text as _text

MAX_ROWS = 60


def cashbook_from_form(form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
    content = {k: v for k, v in previous.items() if k != "receipts"}
    for name in ("association", "period", "opening_balance", "cash_count", "intro"):
        content[name] = _text(form, name)
    if not content["intro"]:
        content.pop("intro")
    content["pass_mark"] = form_number(_text(form, "pass_mark"), 100, whole=True)
    receipts = []
    for index in row_indices(form, "receipts", MAX_ROWS):
        at = f"receipts-{index}-"
        if form.get(at + "delete"):
            continue
        row = {
            name: _text(form, at + name)
            for name in ("key", "number", "date", "description", "document", "direction", "amount", "sphere")
        }
        row["explanation"] = _text(form, at + "explanation")
        if not any(row[name] for name in ("number", "description", "amount")):
            continue  # the empty row for a new receipt
        row["in_cash_book"] = not form.get(at + "not_in_cash_book")
        if not row["document"]:
            row.pop("document")
        receipts.append(row)
    taken = {r["key"] for r in receipts if r["key"]}
    for row in receipts:
        if not row["key"]:
            row["key"] = free_key("b", taken)
    content["receipts"] = receipts
    return content


def donation_from_form(form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
    content = {k: v for k, v in previous.items() if k not in ("case", "decision", "fields", "pass_mark")}
    content["case"] = _text(form, "case")
    content["decision"] = {
        "correct": _text(form, "decision-correct"),
        "explanation": _text(form, "decision-explanation"),
    }
    content["pass_mark"] = form_number(_text(form, "pass_mark"), 80, whole=True)
    fields = []
    for index in row_indices(form, "fields", MAX_ROWS):
        at = f"fields-{index}-"
        if form.get(at + "delete"):
            continue
        spec: dict[str, Any] = {
            name: _text(form, at + name) for name in ("key", "label", "type", "answer", "explanation")
        }
        if not spec["label"] and not spec["answer"]:
            continue
        spec["type"] = spec["type"] or "text"
        options = [line.strip() for line in _text(form, at + "options").split("\n") if line.strip()]
        if spec["type"] == "choice":
            spec["options"] = options
        elif spec["type"] == "text" and "\n" in spec["answer"]:
            spec["answer"] = [line.strip() for line in spec["answer"].split("\n") if line.strip()]
        fields.append(spec)
    taken = {f["key"] for f in fields if f["key"]}
    for spec in fields:
        if not spec["key"]:
            spec["key"] = free_key("f", taken)
    content["fields"] = fields
    return content
