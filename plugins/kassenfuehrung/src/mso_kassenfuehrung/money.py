"""Money and dates as a treasurer writes them: exact cents (Decimal, never float), German or ISO notation."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
_GERMAN = re.compile(r"^\d{1,3}(\.\d{3})*(,\d{1,2})?$|^\d+(,\d{1,2})?$")
_POINT = re.compile(r"^\d+(\.\d{1,2})?$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_money(raw: Any) -> Decimal:
    """'1.234,50', '1234,5', '12.50', '12 €' → Decimal with two places; ValueError for anything else.

    A point followed by exactly three digits is a thousands separator (1.250 = 1250), as on German receipts.
    """
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        return Decimal(raw).quantize(CENT)
    text = str(raw).replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "").strip()
    if text.startswith("+"):
        text = text[1:]
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    if _GERMAN.match(text) and ("," in text or re.search(r"\.\d{3}($|,)", text)):
        value = text.replace(".", "").replace(",", ".")
    elif _POINT.match(text):
        value = text
    else:
        raise ValueError(raw)
    try:
        amount = Decimal(value).quantize(CENT)
    except InvalidOperation:
        raise ValueError(raw) from None
    return -amount if negative else amount


def content_money(raw: Any) -> Decimal | None:
    """A money value written in content (a string like "24.00" or a whole number); None if it is not one.

    Floats are refused on purpose: YAML reads 0.1 as a binary fraction, so content writes amounts in quotes.
    """
    if isinstance(raw, float):
        return None
    try:
        return parse_money(raw)
    except ValueError:
        return None


def format_money(amount: Decimal) -> str:
    """12345.5 → '12.345,50 €' (German notation, as the learner sees amounts)."""
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount).quantize(CENT):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{'.'.join(groups)},{cents} €"


def parse_date(raw: Any) -> date:
    """'2026-03-02' (a date field) or '2.3.2026' → date; ValueError otherwise."""
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    german = _GERMAN_DATE.match(text)
    if german:
        day, month, year = (int(g) for g in german.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def format_date(value: date) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year}"
