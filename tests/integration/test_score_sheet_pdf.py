"""The committee's score sheet of one entry as a PDF (issue 16 item 6), read back the way a
person would: rendered with pypdfium2, its text extracted. Every panel member's points, band,
total and whole comment are there (a 2,000-character comment used to make the table row taller
than a page, which fpdf2 refuses: a 500), the summary and the decision, the pages numbered,
and no character falls outside its page."""
from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Expert, PanelSeat
from server.services import panels, results, scoring
from tests.helpers import auth_header, login

from .scoring_world import build, sheet_for

LONG = ("该成果针对带式输送机跑偏频繁停机的问题设计了自动纠偏装置，在两个矿井连续运行十八个月，"
        "跑偏停机由每月12次降到1次，年节约维修费8万元。") * 40


def read_pdf(data: bytes) -> list[str]:
    """Each page's text; every character's box lies inside its page and each page renders."""
    doc = pdfium.PdfDocument(data)
    pages = []
    for n in range(len(doc)):
        page = doc[n]
        width, height = page.get_size()
        bitmap = page.render(scale=0.5).to_pil()
        assert bitmap.getextrema() != ((255, 255), (255, 255), (255, 255)), f"page {n + 1} is blank"
        text = page.get_textpage()
        for i in range(text.count_chars()):
            left, bottom, right, top = text.get_charbox(i)
            if right > left:                                   # spaces and line breaks have no box
                assert 0 <= left and right <= width and 0 <= bottom and top <= height, f"page {n + 1} char {i}"
        pages.append(text.get_text_range())
    return pages


@pytest.mark.parametrize("comment_length", [12, 2000])
def test_the_score_sheet_holds_every_sheet_whole(client, ctx, comment_length):
    w = build(n_entries=2, n_experts=4)
    entry = w.entries[1]
    entry.title = "矿用带式输送机跑偏自动纠偏与断带保护装置的研制及在高瓦斯矿井的推广应用（第二代改进型）"
    db.session.commit()
    panels.assign(w.admin, w.season, 3)
    members = [db.session.get(Expert, x) for x in db.session.scalars(
        select(PanelSeat.expert_id).where(PanelSeat.entry_id == entry.id).order_by(PanelSeat.expert_id))]
    comments = [LONG[:comment_length], "好", None]
    for expert, total, comment in zip(members, (96, 92, 80), comments):
        scoring.submit(expert.user, entry.id, sheet_for(total), comment)
    results.decide(w.admin, entry.id, "special", "创新性突出，评审委员会一致同意。")
    res = client.get(f"/api/v1/admin/entries/{entry.id}/score-sheet.pdf",
                     headers=auth_header(login(client, "city-admin")["token"]))
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    pages = read_pdf(res.data)
    text = "".join(pages)
    flat = re.sub(r"打印时间：.*?第\d+/\d+页", "", re.sub(r"\s+", "", text))     # footers out: text runs on
    assert f"{w.season.name}成果评审评分表" in flat and entry.title in flat
    assert "创新思路（20分）" in flat and "合计（100分）" in flat
    for expert in members:
        assert expert.user.name in flat
    for total in ("96", "92", "80"):
        assert re.search(rf"\b{total}\b", text)
    assert "有原创价值" in flat and "（未写评语）" in flat
    assert LONG[:comment_length] in flat                      # the whole comment, over pages if need be
    assert "汇总分89.33" in flat and "取整89" in flat and "分差16" in flat
    assert "办公室决定：特等奖" in flat and "创新性突出，评审委员会一致同意。" in flat
    assert "评审委员会负责人（签字）" in flat
    assert len(pages) >= (2 if comment_length == 2000 else 1)
    for n, page in enumerate(pages, 1):
        assert f"第{n}/{len(pages)}页" in re.sub(r"\s+", "", page)


def test_a_sheet_before_any_score_says_so(client, ctx):
    w = build(n_entries=1, n_experts=3)
    panels.assign(w.admin, w.season, 2)
    res = client.get(f"/api/v1/admin/entries/{w.entries[0].id}/score-sheet.pdf",
                     headers=auth_header(login(client, "city-admin")["token"]))
    assert res.status_code == 200
    flat = re.sub(r"\s+", "", "".join(read_pdf(res.data)))
    assert "尚无专家评分" in flat and "评审组：2人，已评分0人" in flat
