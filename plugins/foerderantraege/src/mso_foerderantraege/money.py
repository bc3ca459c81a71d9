"""Money and dates as volunteers type them, computed exactly (Decimal, never float).

A financing plan that is off by one cent is sent back by the funder, so every amount is a `Decimal` with at most
two places; amounts are stored in documents as strings such as ``"1234.50"``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")
_PLAIN = re.compile(r"^\d+([.,]\d{1,2})?$")


class MoneyError(ValueError):
    """The text is not an amount of money (at most two decimal places, not negative)."""


def parse_amount(raw: Any) -> Decimal:
    """``1234,5`` / ``1.234,50`` / ``1234.50`` / ``1 234`` / ``1234 €`` → Decimal('1234.50'); negative is refused."""
    if isinstance(raw, bool):
        raise MoneyError(str(raw))
    if isinstance(raw, int):
        raw = str(raw)
    if isinstance(raw, Decimal):
        raw = format(raw, "f")
    if not isinstance(raw, str):
        raise MoneyError(str(raw))
    text = raw.strip().replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "").strip()
    if _GROUPED.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _PLAIN.match(text):
        text = text.replace(",", ".")
    else:
        raise MoneyError(raw)
    try:
        value = Decimal(text).quantize(CENT)
    except InvalidOperation:
        raise MoneyError(raw) from None
    if value > MAX_AMOUNT:
        raise MoneyError(raw)
    return value


def parse_optional_amount(raw: Any) -> Decimal | None:
    """Empty means no amount (None); anything else must be an amount."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_amount(raw)


def store(value: Decimal) -> str:
    """The form kept in JSON documents: ``"1234.50"``."""
    return format(value.quantize(CENT), "f")


def load(value: Any, default: Decimal = Decimal("0.00")) -> Decimal:
    """Read a stored amount back; anything unreadable is `default` (stored documents were validated before)."""
    try:
        return parse_amount(value)
    except MoneyError:
        return default


def euro(value: Decimal | str) -> str:
    """German notation: ``1.234,50 €``."""
    amount = load(value) if not isinstance(value, Decimal) else value
    sign = "-" if amount < 0 else ""
    whole, cents = format(abs(amount).quantize(CENT), "f").split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{'.'.join(groups)},{cents} €"


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a percentage of `whole`, rounded half up to one place (0 when `whole` is 0)."""
    if whole == 0:
        return Decimal("0.0")
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def parse_date(raw: Any) -> date:
    """ISO (``2027-03-01``, what ``<input type=date>`` sends) or German (``1.3.2027``) dates."""
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise ValueError(str(raw))
    text = raw.strip()
    german = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if german:
        return date(int(german[3]), int(german[2]), int(german[1]))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    raise ValueError(raw)


def german_date(value: Any) -> str:
    try:
        return parse_date(value).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)
