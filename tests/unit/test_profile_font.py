"""The 附件3/附件4 PDFs' font (server/services/review/profile_font.py): read once per process,
warmed by the worker before it forks, and cut per document to that document's glyphs with the
base font's own outlines and widths."""
from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont

from server.services.review import profile_font


@pytest.fixture()
def cut():
    base = profile_font.base_cut()
    if base is None:
        pytest.skip("no CJK base font on this machine")
    return base


def test_a_default_queue_worker_reads_the_font_before_it_forks():
    from workers.worker import warm_before_forks
    profile_font._read.cache_clear()
    warm_before_forks(["default"])
    assert profile_font._read.cache_info().currsize == 1
    assert profile_font.base_cut() is profile_font.base_cut()      # read once, kept


@pytest.mark.parametrize("text", ["皮带输送机自动纠偏装置", "欧阳鹏，鹦鹉螺。", "ZL202021234567.2（授权）"])
def test_a_cut_holds_the_text_and_ascii_with_the_base_outlines(cut, text):
    chars = {ord(c) for c in text}
    font = TTFont(io.BytesIO(cut.cut(chars)))
    base = TTFont(cut.path)
    got, want = font.getBestCmap(), base.getBestCmap()
    assert set(got) == {c for c in chars | profile_font.ALWAYS if c in want}
    for c in chars:
        assert font["hmtx"][got[c]] == base["hmtx"][want[c]]
        assert font["glyf"][got[c]].getCoordinates(font["glyf"])[0] == base["glyf"][want[c]].getCoordinates(base["glyf"])[0]


def test_what_the_base_font_lacks_is_not_covered(cut):
    assert cut.covers({ord(c) for c in "张建国 2025"})
    assert not cut.covers({ord("𠀀")})            # CJK extension B: the whole font is used


@pytest.mark.parametrize("text", ["", "短", "皮带输送机自动纠偏装置" * 9, "Maintenance engineer, 综采 " * 12,
                                  "第一段。\n第二段，" * 7 + "W" * 80, "iiiiiiiiii" * 30 + "。"])
@pytest.mark.parametrize("width", [60.0, 132.0])
def test_a_rows_line_bound_is_never_below_its_layout(text, width):
    """profiles._Pdf.row lays a text out only once unless the bound says it might not fit:
    the bound must never be lower than the lines fpdf2 actually makes."""
    from server.services.review.profiles import _Pdf
    doc = _Pdf({ord(c) for c in text})
    doc.pdf.add_page()
    assert doc._most_lines(text, width) >= doc._lines(text, width)
