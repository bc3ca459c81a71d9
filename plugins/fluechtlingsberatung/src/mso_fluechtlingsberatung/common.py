"""Helpers both activity kinds share: keys, numbers as people type them, and reading repeated editor rows."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from mso_academy.plugins.api import ContentProblem, FormData

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# "21.500" is twenty-one thousand five hundred in German notation (dots group thousands).
GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
MAX_ROWS = 100


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return (is_int(value) or isinstance(value, float)) and math.isfinite(value)


def is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def parse_number(raw: str) -> Decimal:
    """``1234,5``, ``1.234,5``, ``21.500``, ``1234.5`` or ``1 234 €`` (German volunteers type a decimal comma)."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if "," in text or GROUPED.match(text):
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


def form_number(raw: Any, default: Any, whole: bool = False) -> Any:
    """A number typed into the editor; empty gives `default`, anything unparsable stays as typed for `validate`."""
    text = str(raw or "").strip()
    if not text:
        return default
    try:
        value = parse_number(text)
    except ValueError:
        return text
    if value == value.to_integral_value():
        return int(value)
    return text if whole else float(value)


def validate_settings(content: Mapping[str, Any]) -> list[ContentProblem]:
    """`pass_mark` (0–100) and `max_attempts` (empty or ≥ 1), as the quiz has them."""
    problems = []
    pass_mark = content.get("pass_mark", 80)
    if not is_int(pass_mark) or not 0 <= pass_mark <= 100:
        problems.append(ContentProblem("pass_mark", "pass_mark must be a whole number from 0 to 100"))
    max_attempts = content.get("max_attempts")
    if max_attempts is not None and (not is_int(max_attempts) or max_attempts < 1):
        problems.append(ContentProblem("max_attempts", "max_attempts must be empty (unlimited) or at least 1"))
    return problems


def check_key(where: str, item: Mapping[str, Any], seen: set[str], what: str) -> list[ContentProblem]:
    key = item.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        return [ContentProblem(f"{where}.key", "key must be 1-40 letters, digits, '-' or '_'")]
    if key in seen:
        return [ContentProblem(f"{where}.key", f"key {key!r} is used by two {what}")]
    seen.add(key)
    return []


def row_indices(form: FormData, prefix: str) -> list[int]:
    """The row numbers of editor fields named ``<prefix>-<n>-<field>`` (repeated items without JavaScript)."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{1,4}})-")
    names = list(form.keys())
    return sorted({int(m.group(1)) for name in names if (m := pattern.match(name))})[:MAX_ROWS]


def form_text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").replace("\r\n", "\n").strip()


def free_key(prefix: str, taken: set[str]) -> str:
    """The next key `prefix1`, `prefix2`, … not in `taken` (existing keys stay: learners' answers refer to them)."""
    number = len(taken) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    key = f"{prefix}{number}"
    taken.add(key)
    return key


def score_summary(earned: int, total: int) -> tuple[float, int]:
    score = earned / total if total else 0.0
    return score, round(score * 100)


def sequence(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []
