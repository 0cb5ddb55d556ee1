"""Leader names that are the same person written differently, or one slip apart, match; names
that are merely alike do not (issue 15 item 9). Table-driven: each pair with why."""
from __future__ import annotations

import pytest

from server.services.review.duplicates import name_key, same_leader, similar

SAME = [
    ("张建国", "张建国", "identical"),
    ("张建国", "张 建 国", "spaces"),
    ("張建國", "张建国", "traditional / simplified"),
    ("歐陽靜", "欧阳静", "traditional compound surname"),
    ("ＬＩ　Ｍｉｎｇ", "li ming", "full-width letters and space"),
    ("阿依古丽·买买提", "阿依古丽买买提", "middle dot U+00B7"),
    ("阿依古丽•买买提", "阿依古丽・买买提", "bullet and katakana middle dot"),
    ("阿依古丽．买买提", "阿依古丽.买买提", "full-width and ASCII full stop"),
    ("张建国", "张健国", "one character different in three"),
    ("张建国", "章建国", "one character different, the surname"),
    ("张建國", "张健国", "a variant and a slip together (still one character apart once folded)"),
    ("欧阳建国", "欧阳建图", "one character different in four"),
    ("阿依古丽·买买提", "阿依古力买买提", "a transliteration slip in a long ethnic name"),
]

DIFFERENT = [
    ("张伟", "张玮", "two characters: one apart is as likely two people"),
    ("王芳", "王方", "two characters"),
    ("张建国", "张建", "a character missing is not one substitution"),
    ("张建国", "李建华", "two characters different in three"),
    ("张建国", "王志强", "nothing alike"),
    ("欧阳建国", "欧阳志强", "two different in four"),
    ("张建国", "", "no name"),
    ("", "", "no names at all"),
    ("···", "张建国", "only punctuation"),
]


@pytest.mark.parametrize("a,b,why", SAME)
def test_the_same_leader(a, b, why):
    assert same_leader(a, b) and same_leader(b, a), why


@pytest.mark.parametrize("a,b,why", DIFFERENT)
def test_not_the_same_leader(a, b, why):
    assert not same_leader(a, b) and not same_leader(b, a), why


def test_folding():
    assert name_key("  張　建·國 ") == "张建国"
    assert name_key("ＡＢ") == "ab"


@pytest.mark.parametrize("a,b,match", [
    ("皮带输送机自动纠偏装置", "皮带输送机自动纠偏装置（改进）", True),
    ("皮帶輸送機自動糾偏裝置", "皮带输送机自动纠偏装置", True),           # traditional title
    ("ＰＬＣ控制系统改造", "plc控制系统改造", True),                      # full-width letters
    ("皮带输送机自动纠偏装置", "井下照明节能改造", False),
    ("液压支架检修工装", "液压支架快速检修工装设计与应用推广", False),
])
def test_titles(a, b, match):
    assert similar(a, b) is match


def test_near_names_need_closer_titles():
    a, b = "皮带输送机自动纠偏装置", "皮带输送机自动纠偏装置改进型"      # 0.88
    assert similar(a, b) and not similar(a, b, 0.9)
