"""Answers as people type them on a phone: table-driven tests for every parser."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from server.forms import parsers as p
from server.forms.parsers import AnswerError, Option

CATEGORIES = [Option("product", "产品类"), Option("equipment", "设备类"), Option("process", "工艺类"),
              Option("cost_management", "成本与管理类", ("成本", "管理")),
              Option("environment_energy", "环保与节能类", ("环保", "节能")), Option("other", "其它", ("其他",))]


@pytest.mark.parametrize("text,code", [
    ("2", "equipment"), ("２", "equipment"), (" 2 ", "equipment"), ("设备", "equipment"), ("设备类", "equipment"),
    ("equipment", "equipment"), ("节能", "environment_energy"), ("环保与节能类", "environment_energy"),
    ("成本", "cost_management"), ("其他", "other"), ("6", "other"), ("我选设备类", "equipment"),
])
def test_choice(text, code):
    assert p.parse_choice(text, CATEGORIES) == code


@pytest.mark.parametrize("text,key", [("", "choice_empty"), ("7", "choice_unknown"), ("0", "choice_unknown"),
                                      ("汽车", "choice_unknown"), ("设备和工艺", "choice_unclear")])
def test_choice_errors(text, key):
    with pytest.raises(AnswerError) as exc:
        p.parse_choice(text, CATEGORIES)
    assert exc.value.message_key == f"answers.{key}"


def test_normalise_full_width_and_spaces():
    assert p.normalise("ＡＢＣ　１２３，　ｘ") == "ABC 123, x"
    assert p.normalise("a\x00b\x1bc") == "abc"


@pytest.mark.parametrize("text,month", [
    ("2020年5月", "2020-05"), ("2020.5", "2020-05"), ("2020-05", "2020-05"), ("20年5月", "2020-05"),
    ("二〇二〇年五月", "2020-05"), ("2020年5月12日", "2020-05-12"), ("２０２０年５月", "2020-05"),
    ("2020/05", "2020-05"), ("2020 年 5 月", "2020-05"), ("202005", "2020-05"), ("2020年05月份", "2020-05"),
    ("2020-5-12", "2020-05-12"), ("2020.05.12", "2020-05-12"), ("二〇二〇年五月十二日", "2020-05-12"),
])
def test_month(text, month):
    assert p.parse_month(text) == month


@pytest.mark.parametrize("text,key", [("去年", "date_unclear"), ("2020年13月", "month_out_of_range"),
                                      ("2021年2月30日", "day_out_of_range"), ("", "date_unclear"),
                                      ("5月", "date_unclear")])
def test_month_errors(text, key):
    with pytest.raises(AnswerError) as exc:
        p.parse_month(text)
    assert exc.value.message_key == f"answers.{key}"


def test_date_needs_a_day():
    assert p.parse_date("2021年3月15日") == date(2021, 3, 15)
    with pytest.raises(AnswerError, match="date_needs_day"):
        p.parse_date("2021年3月")


@pytest.mark.parametrize("text,amount", [
    ("50万", "50.00"), ("五十万元", "50.00"), ("500000元", "50.00"), ("0.5亿", "5000.00"), ("1.2万", "1.20"),
    ("50", "50.00"), ("５０万元", "50.00"), ("50万元/年", "50.00"), ("每年约12万元", "12.00"),
    ("1,200,000元", "120.00"), ("一百万", "100.00"), (12.5, "12.50"), ("3000元", "0.30"),
])
def test_amount(text, amount):
    assert p.parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["很多", "50美元", "", "-5万", "几十万"])
def test_amount_errors(text):
    with pytest.raises(AnswerError):
        p.parse_amount(text)


@pytest.mark.parametrize("text", ["是", "有", "对", "嗯", "好", "可以", "yes", "YES", "是的", "好的。", "同意", "愿意", True])
def test_yes(text):
    assert p.parse_yesno(text) is True


@pytest.mark.parametrize("text", ["否", "没有", "无", "不", "不是", "no", "No", "没有的", "不同意", "不愿意", False])
def test_no(text):
    assert p.parse_yesno(text) is False


@pytest.mark.parametrize("text", ["随便", "", "？"])
def test_yesno_unclear(text):
    with pytest.raises(AnswerError, match="yesno_unclear"):
        p.parse_yesno(text)


@pytest.mark.parametrize("text", ["13912345678", "+86 139 1234 5678", "+8613912345678", "139-1234-5678",
                                  "１３９１２３４５６７８", "0086 13912345678", "(139)12345678"])
def test_mobile(text):
    assert p.parse_mobile(text) == "13912345678"


@pytest.mark.parametrize("text", ["1391234567", "23912345678", "12912345678", "139123456789", "电话"])
def test_mobile_errors(text):
    with pytest.raises(AnswerError, match="mobile_invalid"):
        p.parse_mobile(text)


@pytest.mark.parametrize("text,gender", [("男", "male"), ("女", "female"), ("男性", "male"), ("女性", "female"),
                                         (" 女 ", "female")])
def test_gender(text, gender):
    assert p.parse_gender(text) == gender


def test_gender_unclear():
    with pytest.raises(AnswerError):
        p.parse_gender("保密")


def test_patent_check_digit_by_hand():
    # 2*2+0*3+2*4+0*5+2*6+1*7+2*8+3*9+4*2+5*3+6*4+7*5 = 156; 156 mod 11 = 2
    assert p.patent_check_digit("202021234567") == "2"
    # a remainder of 10 is written X: find one and check it round-trips
    digits = next(f"2019{t}{n:07d}" for t in "12" for n in range(1000) if p.patent_check_digit(f"2019{t}{n:07d}") == "X")
    assert p.parse_patent_number(f"ZL{digits}.X") == f"ZL{digits}.X"
    assert p.parse_patent_number(f"zl {digits}.x") == f"ZL{digits}.X"


@pytest.mark.parametrize("text", ["ZL 2020 2 1234567.2", "ZL202021234567.2", "202021234567.2", "zl2020 2 1234567 .2",
                                  "ＺＬ２０２０２１２３４５６７．２"])
def test_patent_number_forms(text):
    assert p.parse_patent_number(text) == "ZL202021234567.2"


@pytest.mark.parametrize("text,key", [("ZL 2020 2 1234567.8", "patent_check_digit"),
                                      ("ZL 2020 2 12345.2", "patent_format"), ("专利号", "patent_format")])
def test_patent_number_errors(text, key):
    with pytest.raises(AnswerError) as exc:
        p.parse_patent_number(text)
    assert exc.value.message_key == f"answers.{key}"


@pytest.mark.parametrize("text,ok", [
    ("改造后年节约电费12万元", True), ("效率提高30%", True), ("效率提高百分之三十", True), ("减少停机5台次", True),
    ("能耗下降200kWh", True), ("年节约五十万元", True), ("2020年5月开始实施，效果很好", False),
    ("效果显著，大家都说好", False),
])
def test_has_figures(text, ok):
    assert p.has_figures(text) is ok


def test_text_bounds():
    assert p.parse_text("  项目  名称 ", min_len=2) == "项目  名称"
    with pytest.raises(AnswerError, match="text_too_short"):
        p.parse_text("", min_len=1)
    with pytest.raises(AnswerError, match="text_too_long"):
        p.parse_text("字" * 5000, max_len=2000)
