"""Fixtures of the funding-applications plugin tests: an app with the plugin, the shipped course's contents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mso_foerderantraege
import pytest
from werkzeug.datastructures import MultiDict

from tests.plugins.support import shipped_document

COURSE = Path(__file__).resolve().parents[3] / "courses" / "foerderantraege-schreiben"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"EXTRA_PLUGINS": [mso_foerderantraege]}


def shipped(path: str) -> dict[str, Any]:
    """A content document of the shipped course (a fresh copy a test may change)."""
    return shipped_document(COURSE, path)


@pytest.fixture
def application() -> dict[str, Any]:
    """The application builder's content from the shipped course (a copy the test may change)."""
    return shipped("03-kosten-und-finanzierung/antrag.yaml")


@pytest.fixture
def spending() -> dict[str, Any]:
    return shipped("04-bewilligung-und-nachweis/nachweis.yaml")


def good_form(**changes: str) -> MultiDict:
    """A complete application for the shipped call that passes every check.

    Costs 2.400 + 900 + 600 + 150 = 4.050 €, plus 40 volunteer hours × 15 € = 600 € → 4.650 €.
    Financing: own money 100 € + volunteer work 600 € + grant 3.950 € = 4.650 €; own share 700 € = 15,1 %.
    """
    fields = {
        "title": "Nähen und Sprechen",
        "goal": "Frauen aus dem Viertel knüpfen Kontakte und sprechen mehr Deutsch.",
        "target_group": "Zwölf Frauen aus dem Stadtteil, die wenig Kontakt zu Nachbarinnen haben.",
        "measures": "20 Kursabende, eine Ausstellung zum Abschluss.",
        "ind-0-what": "Frauen, die an mindestens 15 Abenden teilnehmen",
        "ind-0-target": "12",
        "ind-0-by": "2027-11-30",
        "ind-1-what": "Frauen, die sich auf Deutsch vorstellen",
        "ind-1-target": "10",
        "ind-1-by": "15.11.2027",
        "step-0-date": "2027-03-01",
        "step-0-text": "Erster Kursabend",
        "step-1-date": "2027-10-12",
        "step-1-text": "Ausstellung",
        "cost-0-category": "honorare",
        "cost-0-text": "20 Abende × 3 Std. × 40 €",
        "cost-0-amount": "2.400,00",
        "cost-1-category": "raummiete",
        "cost-1-text": "Gemeindesaal",
        "cost-1-amount": "900",
        "cost-2-category": "sachkosten",
        "cost-2-text": "Stoff und Zubehör",
        "cost-2-amount": "600,00",
        "cost-3-category": "fahrtkosten",
        "cost-3-text": "Gruppenticket",
        "cost-3-amount": "150.00",
        "fin-own": "100",
        "fin-hours": "40",
        "fin-third": "",
        "fin-grant": "3950,00",
    }
    fields.update(changes)
    return MultiDict(fields)
