"""Fixtures of the bookkeeping plugin tests: an app with the plugin, the shipped course's exercises, right forms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import mso_kassenfuehrung
import pytest
from mso_kassenfuehrung.cashbook import CashBook
from werkzeug.datastructures import MultiDict

from tests.plugins.support import shipped_document

COURSE = Path(__file__).resolve().parents[3] / "courses" / "kassenfuehrung-im-verein"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"EXTRA_PLUGINS": [mso_kassenfuehrung]}


def shipped(path: str) -> dict[str, Any]:
    """A content document of the shipped course (a fresh copy a test may change)."""
    return shipped_document(COURSE, path)


@pytest.fixture
def march() -> dict[str, Any]:
    """The March cash book of the shipped course (opening 185,40 €, closing 121,69 €, one bank-only line)."""
    return shipped("02-sphaeren/kassenbuch-maerz.yaml")


@pytest.fixture
def july() -> dict[str, Any]:
    """The July cash book with the summer party and a cash difference of −5,00 €."""
    return shipped("05-abschluss-und-pruefung/kassenbuch-sommerfest.yaml")


def right_cashbook(content: dict[str, Any], german: bool = True) -> MultiDict:
    """The form of a learner who books every cash receipt right, amounts written as a German treasurer would."""
    data: dict[str, str] = {}
    balance = Decimal(content["opening_balance"])

    def euro(value: Decimal) -> str:
        return f"{value:.2f}".replace(".", ",") if german else f"{value:.2f}"

    for i, receipt in enumerate(CashBook.booked(content)):
        amount = Decimal(receipt["amount"])
        balance += amount if receipt["direction"] == "in" else -amount
        year, month, day = receipt["date"].split("-")
        data.update(
            {
                f"lines-{i}-receipt": receipt["number"],
                f"lines-{i}-date": f"{day}.{month}.{year}" if german else receipt["date"],
                f"lines-{i}-text": receipt["description"][:60],
                f"lines-{i}-direction": receipt["direction"],
                f"lines-{i}-amount": euro(amount),
                f"lines-{i}-sphere": receipt["sphere"],
                f"lines-{i}-balance": euro(balance),
            }
        )
    data["closing_balance"] = euro(balance)
    data["difference"] = euro(Decimal(content["cash_count"]) - balance)
    return MultiDict(data)
