"""Money and dates as volunteers type them, computed exactly (Decimal, never float).

A financing plan that is off by one cent is sent back by the funder, so every amount is a `Decimal` with at most
two places; amounts are stored in documents as strings such as ``"1234.50"``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mso_academy.plugins.api import CENT, format_euro, parse_date, parse_money

__all__ = ["MoneyError", "euro", "german_date", "load", "parse_amount", "parse_date", "percent", "store"]

MAX_AMOUNT = Decimal("100000000")


class MoneyError(ValueError):
    """The text is not an amount of money (at most two decimal places, not negative)."""


def parse_amount(raw: Any) -> Decimal:
    """``1234,5`` / ``1.234,50`` / ``1234.50`` / ``1 234`` / ``1234 €`` → Decimal('1234.50'); negative is refused."""
    try:
        value = parse_money(raw)
    except ValueError:
        raise MoneyError(str(raw)) from None
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
    return format_euro(load(value) if not isinstance(value, Decimal) else value)


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a percentage of `whole`, rounded half up to one place (0 when `whole` is 0)."""
    if whole == 0:
        return Decimal("0.0")
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def german_date(value: Any) -> str:
    """``01.03.2027`` for a date the API's `parse_date` reads; anything else as it is."""
    try:
        return parse_date(value).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)
