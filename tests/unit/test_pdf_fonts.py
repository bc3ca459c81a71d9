"""The certificate fonts are parsed once per process and shared by documents without sharing their state.

Each document must still contain exactly its own text (pdftotext), embed a subset of the font, and be byte for
byte the PDF fpdf2 writes when it parses the font file itself; documents rendered at the same time from several
threads (gunicorn gthread) must not see each other's glyphs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from mso_academy.certificates import pdf_fonts
from mso_academy.certificates.pdf import FONT_DIR

REGULAR, BOLD = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
NAMES = [
    "فاطمة الزهراء",
    "Ayşe Yılmaz",
    "محمد عبد الله",
    "Jürgen Weiß",
    "ليلى حسن",
    "Zoë Ødegaard",
    "عمر خالد",
    "Łukasz",
]


def document(name: str, cached: bool = True) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(datetime(2026, 11, 22, tzinfo=UTC))
    if cached:
        pdf_fonts.add_font(pdf, "DejaVu", "", REGULAR)
        pdf_fonts.add_font(pdf, "DejaVu", "B", BOLD)
    else:
        pdf.add_font("DejaVu", "", str(REGULAR))
        pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.set_text_shaping(use_shaping_engine=True)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(170, 10, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 12)
    pdf.multi_cell(170, 7, "Zertifikat über 2 Unterrichtseinheiten", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def text_of(body: bytes, tmp_path: Path, label: str) -> str:
    path = tmp_path / f"{label}.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def embedded_fonts(body: bytes) -> list[bytes]:
    """The embedded font programs (FontFile2 streams), decompressed."""
    fonts = []
    for part in body.split(b"/FontFile2 ")[1:]:
        number = part.split(b" ", 1)[0]
        start = body.index(b"\n" + number + b" 0 obj")
        stream = body[body.index(b"stream\n", start) + 7 : body.index(b"\nendstream", start)]
        fonts.append(zlib.decompress(stream))
    return fonts


@pytest.fixture(autouse=True)
def poppler() -> None:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is needed (Debian package poppler-utils; `make system-packages`)")


def test_a_document_is_byte_for_byte_what_fpdf2_writes_from_the_font_file() -> None:
    for name in NAMES[:3]:
        assert document(name) == document(name, cached=False)


def check(body: bytes, name: str, tmp_path: Path, label: str) -> None:
    text = " ".join(re.sub(r"[\u2066-\u2069\u202a-\u202e]", "", text_of(body, tmp_path, label)).split())
    assert text == f"{name} Zertifikat über 2 Unterrichtseinheiten"  # Arabic comes back in reading order
    fonts = embedded_fonts(body)
    assert len(fonts) == 2
    for font in fonts:
        assert font[:4] == b"\x00\x01\x00\x00"
        assert len(font) < 20_000  # a subset: the DejaVu files are about 700 KB


def test_documents_one_after_the_other_each_hold_their_own_text(tmp_path: Path) -> None:
    for n, name in enumerate(NAMES):
        check(document(name), name, tmp_path, f"sequential-{n}")


def test_documents_rendered_at_once_from_eight_threads_each_hold_their_own_text(tmp_path: Path) -> None:
    names = NAMES * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(document, names))
    expected = {name: document(name) for name in NAMES}
    for n, (name, body) in enumerate(zip(names, bodies, strict=True)):
        assert body == expected[name]  # no glyph of another document, nothing of the shared font changed
        check(body, name, tmp_path, f"thread-{n}")


def test_each_font_file_is_parsed_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[Path] = []
    shared_font = pdf_fonts.SharedFont

    class CountingSharedFont(shared_font):
        def __init__(self, path: Path) -> None:
            parsed.append(path)
            super().__init__(path)

    monkeypatch.setattr(pdf_fonts, "_fonts", {})
    monkeypatch.setattr(pdf_fonts, "SharedFont", CountingSharedFont)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(document, NAMES))
    for name in NAMES:
        document(name)
    assert sorted(parsed) == sorted([REGULAR, BOLD])


def test_only_text_that_needs_it_is_shaped() -> None:
    """Right-to-left scripts and combining marks go through HarfBuzz; Latin, Turkish and Cyrillic text does not."""
    from mso_academy.certificates.pdf import needs_shaping

    assert needs_shaping("فاطمة الزهراء")
    assert needs_shaping("شهادة")
    assert needs_shaping("שלום")
    assert needs_shaping("Nguye\u0303n")  # a combining tilde must be positioned by the font
    assert not needs_shaping("Zertifikat für Ömer Çelik, Олена Шевченко – 3 Unterrichtseinheiten · 45 min")
