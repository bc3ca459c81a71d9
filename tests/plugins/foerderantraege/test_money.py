"""Amounts as volunteers type them, computed exactly; German notation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from mso_foerderantraege.money import MoneyError, euro, parse_amount, parse_date, percent


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1250", "1250.00"),
        ("1.250,50", "1250.50"),
        ("1250,5", "1250.50"),
        ("1250.50", "1250.50"),
        ("1 250 €", "1250.00"),
        ("12.345.678,90", "12345678.90"),
        ("0,01", "0.01"),
        (120, "120.00"),
    ],
)
def test_amounts_are_read_exactly(typed, value):
    assert parse_amount(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["", "-5", "1,234", "12,345,67", "1.2.3", "zehn", "1e3", "NaN", True, None, 1.5])
def test_anything_else_is_not_an_amount(typed):
    with pytest.raises(MoneyError):
        parse_amount(typed)


def test_sums_stay_exact_where_floats_would_not():
    assert sum((parse_amount(a) for a in ("0,10", "0,20")), Decimal(0)) == parse_amount("0,30")


def test_german_notation_and_percentages():
    assert euro(Decimal("1234567.5")) == "1.234.567,50 €"
    assert euro(Decimal("-0.01")) == "-0,01 €"
    assert percent(Decimal("42"), Decimal("150")) == Decimal("28.0")
    assert percent(Decimal("1"), Decimal("0")) == Decimal("0.0")


def test_dates_in_german_and_iso_notation():
    assert parse_date("1.3.2027") == parse_date("2027-03-01") == date(2027, 3, 1)
    with pytest.raises(ValueError):
        parse_date("31.02.2027")
