"""The CJK font of the 附件3/附件4 PDFs, cut per document from a base font read once per process.

fpdf2's add_font reads the whole font file for every document (the certificates' base cut of
7,000 glyphs: its cmap, hmtx, post names and glyf index, about 120 ms of CPU) and at output
subsets that font in place, so a parsed font cannot be handed to a second document. Instead the
base font is read once (`base_cut()`; the worker reads it before RQ forks, workers/worker.py)
into plain immutable data — each glyph's compiled bytes, its metrics, the character map — and
every document gets a small TrueType font of its own holding only its characters' glyphs
(`cut(chars)`, a few ms), made from fresh table objects, which fpdf2 then reads and subsets as
usual. Nothing of one document's font is shared with another's but the immutable bytes and
tuples, so no subset state leaks between documents (tests/integration/test_profile_exports.py
draws two entries in a row in one process and reads each one's own characters back).

    base_cut() -> BaseCut | None        (None: no base font could be made; use the whole font)
    preload() -> None                   (the worker, before it forks)
    BaseCut.covers(chars: set[int]) -> bool
    BaseCut.cut(chars: set[int]) -> bytes     (a TrueType font file)
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from threading import Lock

# Drawn by fpdf2 outside the entry's own texts (spaces for empty cells, digits of dates).
ALWAYS = frozenset(range(0x20, 0x7F))
# The tables copied from the base font as they are (their glyph-count fields are rewritten by
# fontTools when the cut is compiled).
COPIED = ("head", "hhea", "maxp", "OS/2", "name")
POST_FIELDS = ("italicAngle", "underlinePosition", "underlineThickness", "isFixedPitch",
               "minMemType42", "maxMemType42", "minMemType1", "maxMemType1")


@dataclass(frozen=True)
class BaseCut:
    path: str
    cmap: dict[int, str]                       # code point -> glyph name
    order: dict[str, int]                      # glyph name -> glyph id in the base font
    glyphs: dict[str, bytes]                   # glyph name -> compiled glyf data
    metrics: dict[str, tuple[int, int]]        # glyph name -> (advance width, left side bearing)
    tables: dict[str, bytes]                   # COPIED tag -> its bytes in the base font
    post: tuple                                # POST_FIELDS' values

    def covers(self, chars: set[int]) -> bool:
        return all(c in self.cmap for c in chars if c >= 0x20)

    def cut(self, chars: set[int]) -> bytes:
        """A TrueType font holding .notdef and the glyphs of `chars` (and ASCII) that the base
        font has, with their original outlines and widths; post format 3 (no glyph names)."""
        from fontTools.ttLib import TTFont, newTable
        from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
        from fontTools.ttLib.tables._g_l_y_f import Glyph

        mapping = {c: self.cmap[c] for c in (chars | ALWAYS) if c in self.cmap}
        names = [".notdef"] + sorted(set(mapping.values()) - {".notdef"}, key=self.order.__getitem__)
        font = TTFont(recalcBBoxes=False, recalcTimestamp=False)
        font.setGlyphOrder(names)
        for tag in COPIED:
            table = newTable(tag)
            table.decompile(self.tables[tag], font)
            font[tag] = table
        post = newTable("post")
        post.formatType = 3.0
        for field, value in zip(POST_FIELDS, self.post):
            setattr(post, field, value)
        font["post"] = post
        cmap = newTable("cmap")
        cmap.tableVersion = 0
        subtable = CmapSubtable.newSubtable(4)
        subtable.platformID, subtable.platEncID, subtable.language = 3, 1, 0
        subtable.cmap = {c: n for c, n in mapping.items() if c <= 0xFFFF}
        cmap.tables = [subtable]
        if any(c > 0xFFFF for c in mapping):
            wide = CmapSubtable.newSubtable(12)
            wide.platformID, wide.platEncID, wide.language = 3, 10, 0
            wide.cmap = dict(mapping)
            cmap.tables.append(wide)
        font["cmap"] = cmap
        hmtx = newTable("hmtx")
        hmtx.metrics = {n: self.metrics[n] for n in names}
        font["hmtx"] = hmtx
        glyf = newTable("glyf")
        glyf.glyphOrder = names
        glyf.glyphs = {n: Glyph(self.glyphs[n]) for n in names}      # fresh objects per document
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        out = io.BytesIO()
        font.save(out, reorderTables=False)
        return out.getvalue()


_lock = Lock()
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _read(path: str) -> BaseCut | None:
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import Glyph
    font = TTFont(path, recalcBBoxes=False, recalcTimestamp=False)
    if "glyf" not in font:
        return None                            # CFF outlines: not cut here
    glyf = font["glyf"]
    # .glyphs, not glyf[name]: indexing expands a glyph, and its compiled bytes are what is kept
    glyphs = {name: _data(glyf, glyf.glyphs[name]) for name in font.getGlyphOrder()}
    if any(Glyph(data).isComposite() for data in glyphs.values()):
        return None                            # components would need their glyphs cut too
    return BaseCut(path=path, cmap=dict(font.getBestCmap()), order={n: i for i, n in enumerate(font.getGlyphOrder())},
                   glyphs=glyphs, metrics=dict(font["hmtx"].metrics),
                   tables={tag: font.reader[tag] for tag in COPIED},
                   post=tuple(getattr(font["post"], f) for f in POST_FIELDS))


def _data(glyf, glyph) -> bytes:
    return glyph.data if hasattr(glyph, "data") else glyph.compile(glyf, recalcBBoxes=False)


def base_cut() -> BaseCut | None:
    """The certificates' base font (certificates/surfaces.base_font), read once per process
    (about 0.3 s; a lock keeps threads from reading it twice). None when there is none."""
    from ..certificates.surfaces import FontMissing, base_font
    try:
        base = base_font()
    except (FontMissing, OSError):
        return None
    if base is None:
        return None
    with _lock:
        return _read(base[0])


def preload() -> None:
    """Read the base font and import what drawing and writing the documents import (fpdf2,
    python-docx), in a worker's main process before RQ forks a work horse per job."""
    try:
        base_cut()
        import docx  # noqa: F401
        import fontTools.subset  # noqa: F401
        import fpdf  # noqa: F401
    except (OSError, ImportError) as exc:
        log.warning("profile font not preloaded: %s", exc)
