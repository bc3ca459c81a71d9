"""The certificate as a printable A4 PDF (fpdf2): real text, embedded DejaVu fonts, Arabic shaped by HarfBuzz,
and a QR code (segno) that leads to the public verification page.

It is written in the course's language (a Turkish course gives a Turkish certificate; Arabic runs right to left,
with the text aligned right and the QR code on the left), and when that language is not German it adds the
German line for funders (`funders.funder_line`)."""

from __future__ import annotations

import io
import unicodedata
from importlib.resources import files
from pathlib import Path
from typing import Any

import segno
from flask_babel import force_locale, format_date, format_decimal, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from mso_academy.certificates import pdf_fonts
from mso_academy.certificates.funders import funder_line, teaching_units
from mso_academy.certificates.models import Certificate
from mso_academy.templating import RTL_LANGUAGES

FONT_DIR = Path(str(files("mso_academy").joinpath("data/fonts")))
BRAND = (11, 92, 173)
MUTED = (85, 93, 102)
FOOTER_HEIGHT = 48  # mm: dates, issuer and the QR code


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


__all__ = ["render", "teaching_units"]


def render(certificate: Certificate, verify_url: str) -> bytes:
    with force_locale(certificate.course_language):
        return _render(certificate, verify_url)


def needs_shaping(text: str) -> bool:
    """Right-to-left script or combining marks: text HarfBuzz must shape (and fpdf2 reorder) to come out right."""
    return any(
        unicodedata.bidirectional(char) in _RTL_CLASSES or unicodedata.combining(char) or "\u0900" <= char <= "\u109f"
        for char in text
        if char > "\u02ff"  # Latin letters and their precomposed accents never need it
    )


_RTL_CLASSES = {"R", "AL", "AN"}


class _CertificatePDF(FPDF):
    """Shapes only the text that needs it. HarfBuzz shaping (and fpdf2's line breaking with it) costs most of a
    certificate's rendering time, and German, English, Turkish, Ukrainian or Russian text comes out the same
    without it; an Arabic name or course is shaped as before."""

    def cell(self, w: float | None = None, h: float | None = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        self.set_text_shaping(use_shaping_engine=needs_shaping(text))
        return super().cell(w, h, text, *args, **kwargs)

    def multi_cell(self, w: float, h: float | None = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        self.set_text_shaping(use_shaping_engine=needs_shaping(text))
        return super().multi_cell(w, h, text, *args, **kwargs)


def _render(certificate: Certificate, verify_url: str) -> bytes:
    pdf = _CertificatePDF(format="A4", unit="mm")
    pdf.set_title(_("Certificate") + f": {certificate.course_title}")
    pdf.set_author(certificate.issuer_name)
    pdf.set_creator("MSO Academy")
    pdf.set_lang(certificate.course_language)
    pdf_fonts.add_font(pdf, "DejaVu", "", FONT_DIR / "DejaVuSans.ttf")  # parsed once per process
    pdf_fonts.add_font(pdf, "DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    width = pdf.epw
    rtl = certificate.course_language.split("_")[0] in RTL_LANGUAGES
    start = Align.R if rtl else Align.L  # where a line of running text begins

    pdf.set_font("DejaVu", "B", 12)
    pdf.set_text_color(*BRAND)
    pdf.cell(width, 8, certificate.issuer_name, align=start, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 30)
    pdf.cell(width, 14, _("Certificate"), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(width, 7, _("This confirms that"), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 20 if len(certificate.holder_name) < 60 else 13)
    pdf.multi_cell(width, 10, certificate.holder_name, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(width, 7, _("has successfully completed the course"), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 8, certificate.course_title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    units = teaching_units(certificate.duration_minutes)
    hours = round(certificate.duration_minutes / 60, 1)
    pdf.cell(
        width,
        6,
        _(
            "Version %(version)s · %(hours)s hours · %(units)s",
            version=certificate.course_version,
            hours=format_decimal(hours),
            units=ngettext("%(num)d teaching unit (45 min)", "%(num)d teaching units (45 min)", units),
        ),
        align=Align.C,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(6)

    if certificate.description:
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(width, 6, certificate.description, align=start, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    if certificate.learning_outcomes:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(width, 7, _("Learning outcomes"), align=start, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 10)
        for outcome in certificate.learning_outcomes:
            pdf.multi_cell(width, 5, f"• {outcome}", align=start, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    for item in certificate.contributions:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(width, 7, str(item.get("label", "")), align=start, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width, 5, str(item.get("text", "")), align=start, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    german = funder_line(certificate)
    if german:
        # Always German and left to right, set apart from the certificate's own language by a rule.
        pdf.ln(2)
        pdf.set_draw_color(*MUTED)
        pdf.line(pdf.l_margin + width / 4, pdf.get_y(), pdf.l_margin + 3 * width / 4, pdf.get_y())
        pdf.ln(3)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(width, 5, german, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    footer_top = pdf.h - pdf.b_margin - FOOTER_HEIGHT
    if pdf.get_y() > footer_top - 4:
        pdf.add_page()
    pdf.set_y(footer_top)
    top = footer_top
    pdf.set_font("DejaVu", "", 10)
    lines = [
        _("Issued on %(date)s", date=format_date(certificate.issued_at, "long")),
        _("Valid until %(date)s", date=format_date(certificate.valid_until, "long"))
        if certificate.valid_until
        else _("Valid without time limit"),
        certificate.issuer_name,
        *[line for line in certificate.issuer_address.splitlines() if line.strip()],
    ]
    # The footer's text and the QR code side by side: text at the start of the line, the code at its end.
    text_x = pdf.l_margin + 50 if rtl else pdf.l_margin
    for line in lines:
        pdf.set_x(text_x)
        pdf.cell(width - 50, 5.5, line, align=start, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_text_color(*MUTED)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_x(text_x)
    pdf.multi_cell(
        width - 50,
        4.5,
        _("Check this certificate: %(url)s", url=verify_url),
        align=start,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_x(text_x)
    pdf.cell(
        width - 50,
        4.5,
        _("Verification code: %(code)s", code=certificate.code),
        align=start,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.image(
        _qr_png(verify_url),
        x=pdf.l_margin if rtl else pdf.l_margin + width - 42,
        y=top,
        w=42,
        h=42,
        alt_text=_("QR code leading to the verification page"),
    )
    return bytes(pdf.output())
