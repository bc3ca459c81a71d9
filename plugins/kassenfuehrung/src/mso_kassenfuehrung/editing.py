"""The trainer's web editor: build content documents from the editor forms of both kinds.

Values stay as typed (validation names what is wrong); rows with "delete" ticked are dropped; an empty extra row is
ignored. Existing keys are kept, because learners' answers refer to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mso_academy.plugins.api import FormData

MAX_ROWS = 60


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").replace("\r\n", "\n").strip()


def _indices(form: FormData, prefix: str) -> list[int]:
    pattern = re.compile(rf"^{prefix}-(\d{{1,3}})-")
    names = list(form.keys())  # FormData promises keys(), not iteration
    return sorted({int(m.group(1)) for name in names if (m := pattern.match(name))})[:MAX_ROWS]


def _number(raw: str, default: Any) -> Any:
    return int(raw) if raw.isdigit() else (raw or default)


def _free_key(prefix: str, taken: set[str]) -> str:
    number = len(taken) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    taken.add(f"{prefix}{number}")
    return f"{prefix}{number}"


def cashbook_from_form(form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
    content = {k: v for k, v in previous.items() if k != "receipts"}
    for name in ("association", "period", "opening_balance", "cash_count", "intro"):
        content[name] = _text(form, name)
    if not content["intro"]:
        content.pop("intro")
    content["pass_mark"] = _number(_text(form, "pass_mark"), 100)
    receipts = []
    for index in _indices(form, "receipts"):
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
            row["key"] = _free_key("b", taken)
    content["receipts"] = receipts
    return content


def donation_from_form(form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
    content = {k: v for k, v in previous.items() if k not in ("case", "decision", "fields", "pass_mark")}
    content["case"] = _text(form, "case")
    content["decision"] = {
        "correct": _text(form, "decision-correct"),
        "explanation": _text(form, "decision-explanation"),
    }
    content["pass_mark"] = _number(_text(form, "pass_mark"), 80)
    fields = []
    for index in _indices(form, "fields"):
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
            spec["key"] = _free_key("f", taken)
    content["fields"] = fields
    return content
