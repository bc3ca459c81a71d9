"""The application draft as a PDF (fpdf2), to reuse for a real application.

A Unicode font (DejaVu Sans, found in the usual system places) keeps names in Turkish, Arabic script or Cyrillic;
without one the core PDF font is used and characters outside Latin-1 become "?".
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF

from mso_academy.plugins.api import gettext

from .application import indicator_line
from .money import MoneyError, euro, german_date, parse_amount

FONT_PLACES = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)


def _font_dir() -> Path | None:
    for place in FONT_PLACES:
        if place.joinpath("DejaVuSans.ttf").is_file() and place.joinpath("DejaVuSans-Bold.ttf").is_file():
            return place
    return None


def _amount(raw: Any) -> str:
    try:
        return euro(parse_amount(raw or "0"))
    except MoneyError:
        return str(raw)


class _Writer:
    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()
        fonts = _font_dir()
        if fonts:
            self.pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
            self.pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
            self.family, self.unicode = "DejaVu", True
            with contextlib.suppress(ImportError):  # shaping joins Arabic letters; needs uharfbuzz (a core dependency)
                import uharfbuzz  # noqa: F401

                self.pdf.set_text_shaping(use_shaping_engine=True)
        else:
            self.family, self.unicode = "Helvetica", False

    def _t(self, text: str) -> str:
        if self.unicode:
            return text
        text = text.replace("€", "EUR").replace("–", "-").replace("„", '"').replace("“", '"')
        return text.encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, size: int = 12) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.ln(2)
        self.pdf.multi_cell(0, 7, self._t(text), new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str) -> None:
        self.pdf.set_font(self.family, "", 10)
        self.pdf.multi_cell(0, 5, self._t(text or "–"), new_x="LMARGIN", new_y="NEXT")

    def row(self, left: str, right: str, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", 10)
        width = self.pdf.epw
        self.pdf.multi_cell(width * 0.7, 6, self._t(left), border="B", new_x="RIGHT", new_y="TOP")
        self.pdf.multi_cell(width * 0.3, 6, self._t(right), border="B", align="R", new_x="LMARGIN", new_y="NEXT")


def application_pdf(values: Mapping[str, Any], call_title: str, labels: Mapping[str, str]) -> bytes:
    """The draft: texts, indicators, timetable, cost plan with its total, financing plan with its total."""
    w = _Writer()
    w.heading(values.get("title") or gettext("Funding application (draft)"), 16)
    if call_title:
        w.para(gettext("%(label)s: %(value)s", label=gettext("Funding call"), value=call_title))
    for name, label in (
        ("goal", gettext("Goal")),
        ("target_group", gettext("Target group")),
        ("measures", gettext("Measures")),
    ):
        w.heading(label)
        w.para(values.get(name, ""))
    w.heading(gettext("Indicators (SMART)"))
    for r in values.get("indicators", []):
        w.para("• " + indicator_line(r))
    w.heading(gettext("Timetable"))
    for r in values.get("timetable", []):
        w.para(f"• {german_date(r.get('date', ''))}: {r.get('text', '')}")
    w.heading(gettext("Cost plan"))
    total = Decimal("0.00")
    for r in values.get("costs", []):
        category = r.get("category", "")
        w.row(f"{labels.get(category, category)} – {r.get('text', '')}", _amount(r.get("amount")))
        with contextlib.suppress(MoneyError):
            total += parse_amount(r.get("amount") or "0")
    w.row(gettext("Total of the cost lines"), euro(total), bold=True)
    fin = values.get("financing", {})
    w.heading(gettext("Financing plan"))
    w.row(gettext("Own money"), _amount(fin.get("own_funds")))
    w.row(gettext("Volunteer hours"), str(fin.get("volunteer_hours") or "0"))
    w.row(gettext("Other funds"), _amount(fin.get("third_party")))
    w.row(gettext("Requested grant"), _amount(fin.get("grant")))
    w.pdf.ln(4)
    w.para(gettext("Draft made with MSO Academy. Check every figure against the current call before you apply."))
    return bytes(w.pdf.output())
