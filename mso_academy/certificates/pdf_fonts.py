"""The certificate's DejaVu fonts, parsed once per process and shared by every PDF rendered in it.

Why: `FPDF.add_font` parses the whole TTF with fontTools for every document, and fpdf2 then subsets that parse
in place on output, so each certificate paid for reading two ~700 KB fonts twice (about three quarters of its
rendering time). Here each font file is read once: fpdf2's metrics (a `TTFFont` made for no document), the
decompiled fontTools tables and the HarfBuzz face.

Why it is safe with several threads rendering at once (gunicorn gthread): a document never gets a shared object
it could change. `add_fonts` gives each document its own `TTFFont` (the same split as fpdf2's own
`TTFFont.__deepcopy__`): its own subset map, widths, glyph ids, missing glyphs and HarfBuzz font (the size is
set on it while shaping), sharing only what nobody writes: the cmap, the font descriptor and the HarfBuzz face,
which HarfBuzz documents as immutable and thread safe. The fontTools font that fpdf2 subsets in place on output
is a new `TTFont` per document: it shares the decompiled tables the subsetter only reads or drops, and gets its
own copy of each table object it changes, with their changed parts (cmap subtables, glyphs); the subset it
writes is byte for byte the one fpdf2 writes from the file (tests/unit/test_pdf_fonts.py checks this). The
DejaVu files are used unchanged.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from fontTools import ttLib
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont

# The parts of fpdf2's TTFFont that never change after it is built (cf. TTFFont.__deepcopy__ in fpdf/fonts.py).
_SHARED_ATTRIBUTES = (
    "type", "ttffile", "scale", "name", "up", "ut", "sp", "ss", "desc", "cmap", "is_compressed", "is_cff",
    "is_cid_keyed", "is_symbol", "cff_ros", "collection_font_number", "palette_index", "color_font",
)  # fmt: skip


class SharedFont:
    """One font file, parsed once: fpdf2's metrics, every fontTools table decompiled, and the HarfBuzz face."""

    def __init__(self, path: Path) -> None:
        self.template = TTFFont(FPDF(), path, fontkey="", style="")
        if self.template.color_font is not None or self.template.is_cff or self.template.is_compressed:
            raise ValueError(f"{path}: only plain TrueType fonts are shared")
        self.ttfont = self.template.ttfont
        self.glyph_order: list[str] = list(self.ttfont.getGlyphOrder())
        self.tables: dict[str, Any] = {}
        for tag in self.ttfont.keys():  # noqa: SIM118 - TTFont is no dict
            if tag == "GlyphOrder":
                continue
            table = self.ttfont[tag]
            if tag != "glyf" and hasattr(table, "ensureDecompiled"):  # glyphs stay raw: the subset expands copies
                table.ensureDecompiled(recurse=True)
            self.tables[tag] = table
        for subtable in self.tables["cmap"].tables:
            subtable.ensureDecompiled()
        self.ttfont.close()  # every table is read: the file is not needed any more
        self.face = hb.Face(blob=hb.Blob.from_file_path(path), index=self.template.collection_font_number)

    def for_document(self, pdf: FPDF, fontkey: str, style: str) -> DocumentFont:
        font = DocumentFont.__new__(DocumentFont)
        for name in _SHARED_ATTRIBUTES:
            setattr(font, name, getattr(self.template, name))
        font.shared = self
        font.document_ttfont = None
        font.i = len(pdf.fonts) + 1
        font.fontkey = fontkey
        font.emphasis = TextEmphasis.coerce(style)
        font.biggest_size_pt = 0
        font.cw = copy.copy(self.template.cw)  # a defaultdict: reading an unknown character adds it
        font.glyph_ids = dict(self.template.glyph_ids)
        font.missing_glyphs = []
        font._hbfont = HarfBuzzFont(self.face)
        font.subset = SubsetMap(font)
        return font

    def subsettable_ttfont(self) -> ttLib.TTFont:
        """A fontTools font for one document's subset: what the subsetter changes is copied, the rest shared."""
        ttfont = ttLib.TTFont(recalcTimestamp=False)
        ttfont.sfntVersion = self.ttfont.sfntVersion
        ttfont.setGlyphOrder(list(self.glyph_order))
        for tag, shared in self.tables.items():
            table = copy.copy(shared)
            if tag == "glyf":
                table.glyphs = {name: _copy_glyph(glyph) for name, glyph in shared.glyphs.items()}
                table._reverseGlyphOrder = {}
            elif tag == "cmap":
                table.tables = [copy.copy(subtable) for subtable in shared.tables]
            ttfont[tag] = table
        return ttfont


def _copy_glyph(glyph: Glyph) -> Glyph:
    clone = Glyph.__new__(Glyph)
    clone.__dict__.update(glyph.__dict__)  # raw bytes or plain numbers: the subsetter replaces, never edits them
    return clone


class DocumentFont(TTFFont):
    """fpdf2's TTFFont for one document, built from a `SharedFont`; its fontTools font is made on output."""

    __slots__ = ("document_ttfont", "shared")
    shared: SharedFont
    document_ttfont: ttLib.TTFont | None

    @property  # type: ignore[override]
    def ttfont(self) -> ttLib.TTFont:
        if self.document_ttfont is None:
            self.document_ttfont = self.shared.subsettable_ttfont()
        return self.document_ttfont

    def close(self) -> None:
        self.document_ttfont = None
        self._hbfont = None


_fonts: dict[Path, SharedFont] = {}
_lock = threading.Lock()


def shared_font(path: Path) -> SharedFont:
    """The font parsed once per process (the first caller parses it while the others wait)."""
    font = _fonts.get(path)
    if font is None:
        with _lock:
            font = _fonts.get(path)
            if font is None:
                font = _fonts[path] = SharedFont(path)
    return font


def add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """Like `FPDF.add_font(family, style, path)` for a plain TrueType font, without parsing the file again."""
    fontkey = f"{family.lower()}{style}"
    pdf.fonts[fontkey] = shared_font(path).for_document(pdf, fontkey, style)
