"""Amounts as treasurers write them become exact cents; anything else is refused."""

from decimal import Decimal

import pytest
from mso_kassenfuehrung.money import content_money, format_money, parse_date, parse_money


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ("24,50", "24.50"),
        ("24.50", "24.50"),
        ("1.234,56", "1234.56"),
        ("1.250", "1250.00"),
        ("12 €", "12.00"),
        ("0,1", "0.10"),
        ("-5,00", "-5.00"),
        (" 7 ", "7.00"),
    ],
)
def test_german_and_point_notation_become_exact_cents(raw, cents):
    assert parse_money(raw) == Decimal(cents)


@pytest.mark.parametrize("raw", ["", "abc", "1,234,5", "12,345", "1.2.3", "12.345,6789", "--3"])
def test_malformed_amounts_are_refused(raw):
    with pytest.raises(ValueError):
        parse_money(raw)


def test_no_float_error_ever():
    total = sum((parse_money(x) for x in ["0,10", "0,20"]), Decimal(0))
    assert total == Decimal("0.30") and str(total) == "0.30"
    assert content_money(0.1) is None  # YAML floats are refused in content: write "0.10"


def test_formatting_and_dates():
    assert format_money(Decimal("12345.5")) == "12.345,50 €"
    assert format_money(Decimal("-5")) == "-5,00 €"
    assert parse_date("2.3.2026") == parse_date("2026-03-02")
    with pytest.raises(ValueError):
        parse_date("31.02.2026")
