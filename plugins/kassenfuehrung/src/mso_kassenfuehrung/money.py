"""Money and dates as a treasurer writes them: exact cents (Decimal, never float), German or ISO notation.

The reading and writing is the plugin API's; this module only fixes what a cash book needs of it (amounts may be
negative, e.g. a difference) and keeps the names the kinds use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mso_academy.plugins.api import format_euro as format_money
from mso_academy.plugins.api import format_german_date as format_date
from mso_academy.plugins.api import parse_date
from mso_academy.plugins.api import parse_money as _parse_money

__all__ = ["content_money", "format_date", "format_money", "parse_date", "parse_money"]


def parse_money(raw: Any) -> Decimal:
    """'1.234,50', '1234,5', '12.50', '-5,00', '12 €' → Decimal with two places; ValueError for anything else."""
    return _parse_money(raw, negative=True)


def content_money(raw: Any) -> Decimal | None:
    """A money value written in content (a string like "24.00" or a whole number); None if it is not one.

    Floats are refused on purpose: YAML reads 0.1 as a binary fraction, so content writes amounts in quotes.
    """
    try:
        return parse_money(raw)
    except ValueError:
        return None
