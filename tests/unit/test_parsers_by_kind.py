"""Issue 12: answers of the same kind read alike (compound and 大写 numerals, colloquial and
approximate amounts, the unit of a bare number, two-digit years, yes/no phrases, figures in a
summary, prose kept as typed). Tables of inputs → canonical values, and hypothesis properties."""
from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given, settings, strategies as st

from server.forms import parsers as p
from server.forms.parsers import AnswerError
from server.texts import t


def _an2cn(n, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cn2an.an2cn(n, mode)


# -- 1. compound numerals -------------------------------------------------------------------------
@pytest.mark.parametrize("text,amount", [
    ("两万五千元", "2.50"), ("二万五千元", "2.50"), ("两万五千", "2.50"), ("两万五", "2.50"), ("3万5千", "3.50"),
    ("3万5", "3.50"), ("1万2", "1.20"), ("一万二", "1.20"), ("2千5百元", "0.25"), ("两千五百元", "0.25"),
    ("一万零五百元", "1.05"), ("十万零五千元", "10.50"), ("一百二十万", "120.00"), ("一亿二千万元", "12000.00"),
    ("三点五万", "3.50"), ("3.5万元", "3.50"), ("1万2千3百元", "1.23"), ("一千二百三十四万", "1234.00"),
    ("五十万", "50.00"), ("十二万", "12.00"), ("二十万零五千", "20.50"),
])
def test_compound_amounts(text, amount):
    assert p.parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text,value", [
    ("两万五千", 25000), ("一万零五百", 10500), ("3万5千", 35000), ("1万2", 12000), ("2千5百", 2500), ("十五", 15),
    ("一百一", 110), ("一百零一", 101), ("一万零五", 10005), ("3.5万", 35000), ("三点五", Decimal("3.5")), ("十", 10),
])
def test_read_numeral(text, value):
    assert p.read_numeral(text) == Decimal(value)


@pytest.mark.parametrize("text", ["三五万", "万", "二〇二〇", "3.5万5", "三万五万", "百十", "abc", ""])
def test_not_a_numeral(text):
    assert p.read_numeral(text) is None


# -- 2. colloquial and approximate amounts --------------------------------------------------------
@pytest.mark.parametrize("text,amount,approximate", [
    ("5万块钱", "5.00", False), ("5万块", "5.00", False), ("3000块", "0.30", False), ("五万元整", "5.00", False),
    ("5万元钱", "5.00", False), ("5w", "5.00", False),
    ("50多万", "50.00", True), ("五十多万元", "50.00", True), ("5万多", "5.00", True), ("5万多块钱", "5.00", True),
    ("10余万元", "10.00", True), ("5万余元", "5.00", True), ("十来万", "10.00", True), ("十几万", "10.00", True),
    ("约50万", "50.00", True), ("大约50万元", "50.00", True), ("近50万", "50.00", True), ("将近五十万", "50.00", True),
    ("差不多50万吧", "50.00", True), ("50万左右", "50.00", True), ("大概20万", "20.00", True),
    ("每年约12万元", "12.00", True), ("50万", "50.00", False), ("年节约50万元", "50.00", False),
    ("100万元以上", "100.00", True), ("10万有余", "10.00", True),    # were refused as unclear
])
def test_colloquial_amounts(text, amount, approximate):
    reading = p.read_amount(text)
    assert (reading.amount, reading.approximate, reading.unit_stated) == (Decimal(amount), approximate, True)
    assert reading.needs_confirmation is approximate
    assert p.parse_amount(text) == Decimal(amount)


def test_confirmation_texts():
    key, params = p.read_amount("50多万").confirmation()
    assert t(key, **params) == "按 50 万元/年 记录，对吗？"
    key, params = p.read_amount("三千").confirmation()
    assert t(key, **params) == "按 3000 万元/年 记录，对吗？还是 3000 元？"
    key, params = p.read_amount("2000.5").confirmation()       # the 元 reading names the figure as typed
    assert t(key, **params) == "按 2000.5 万元/年 记录，对吗？还是 2000.5 元？"
    key, params = p.read_amount("12345.67").confirmation()
    assert t(key, **params) == "按 12345.67 万元/年 记录，对吗？还是 12345.67 元？"
    assert p.read_amount("50万").confirmation() is None


# -- 3. the unit of a bare number -------------------------------------------------------------------
@pytest.mark.parametrize("text,amount,unit_stated,alternatives", [
    ("三千", "3000.00", False, ["0.30"]), ("3000", "3000.00", False, ["0.30"]), ("3千", "3000.00", False, ["0.30"]),
    ("一千", "1000.00", False, ["0.10"]), ("五千", "5000.00", False, ["0.50"]), ("2万", "2.00", True, []),
    ("3千元", "0.30", True, []), ("三千元", "0.30", True, []), ("3000元", "0.30", True, []), ("三千块", "0.30", True, []),
    ("50", "50.00", False, []), ("五十", "50.00", False, []), ("999", "999.00", False, []),
    ("0.5", "0.50", False, []), ("0.5亿", "5000.00", True, []), ("一千万", "1000.00", True, []),
])
def test_bare_number_is_wan(text, amount, unit_stated, alternatives):
    reading = p.read_amount(text)
    assert reading.amount == Decimal(amount) and reading.unit_stated is unit_stated
    assert reading.alternatives == tuple(Decimal(a) for a in alternatives)
    assert reading.needs_confirmation is bool(alternatives)


def test_digits_and_chinese_agree():
    for digits, chinese in [("3000", "三千"), ("50", "五十"), ("3000元", "三千元"), ("120万", "一百二十万"),
                            ("25000元", "两万五千元"), ("1.2万", "一点二万")]:
        assert p.read_amount(digits) == p.read_amount(chinese), (digits, chinese)


def test_form_mode_numbers_are_wan():
    assert p.read_amount(3000) == p.AmountReading(Decimal("3000.00"))
    assert p.read_amount(Decimal("12.5")).amount == Decimal("12.50")


@pytest.mark.parametrize("text,key", [("很多", "amount_unclear"), ("几十万", "amount_unclear"),
                                      ("三五万", "amount_unclear"), ("50美元", "amount_unclear"),
                                      ("二〇二〇", "amount_unclear"), ("一万亿", "amount_unclear"),
                                      ("99999999999", "amount_out_of_range")])
def test_amount_errors_by_kind(text, key):
    with pytest.raises(AnswerError) as exc:
        p.read_amount(text)
    assert exc.value.key == key


# -- 4. financial numerals (大写) -------------------------------------------------------------------
@pytest.mark.parametrize("text,amount", [
    ("壹拾万元", "10.00"), ("壹拾万元整", "10.00"), ("壹拾万圆整", "10.00"), ("贰万伍仟元", "2.50"),
    ("壹万零伍佰元", "1.05"), ("伍拾萬元", "50.00"), ("壹佰万", "100.00"), ("兩萬元", "2.00"), ("叁拾万元整", "30.00"),
    ("廿万", "20.00"), ("卅万元", "30.00"), ("贰拾万零伍仟元整", "20.50"), ("壹亿元", "10000.00"),
])
def test_financial_amounts(text, amount):
    assert p.parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text,month", [
    ("贰零贰零年伍月", "2020-05"), ("贰零贰壹年拾贰月", "2021-12"), ("二〇二〇年五月廿一日", "2020-05-21"),
    ("二〇二〇年十二月卅日", "2020-12-30"), ("二零二零年五月", "2020-05"), ("廿一年三月", "2021-03"),
])
def test_financial_dates(text, month):
    assert p.parse_month(text, today=date(2026, 5, 1)) == month


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10 ** 11 - 1))
def test_financial_numerals_read_as_ordinary(n):
    ordinary, financial = _an2cn(n, "low"), _an2cn(n, "up")
    assert p.fold_numerals(financial).replace("一十", "十") == ordinary.replace("一十", "十")
    assert p.read_numeral(ordinary) == p.read_numeral(p.fold_numerals(financial)) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10 ** 10))
def test_amount_in_yuan_any_writing(n):
    expected = (Decimal(n) / 10000).quantize(Decimal("0.01"))
    assert p.parse_amount(f"{n}元") == expected
    assert p.parse_amount(_an2cn(n, "low") + "元") == expected
    assert p.parse_amount(_an2cn(n, "rmb")) == expected     # 壹拾万元整


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=1000000, places=2, allow_nan=False, allow_infinity=False))
def test_amount_in_wan(d):
    assert p.parse_amount(f"{d}万") == d
    assert p.parse_amount(f"{d}万元") == d
    assert p.read_amount(f"约{d}万元").approximate


# -- 5. two-digit years ---------------------------------------------------------------------------
@pytest.mark.parametrize("text,month", [
    ("85年6月", "1985-06"), ("八五年六月", "1985-06"), ("20年5月", "2020-05"), ("30年1月", "1930-01"),
    ("26年3月", "2026-03"), ("27年3月", "1927-03"), ("00年1月", "2000-01"), ("99.5", "1999-05"), ("65-10", "1965-10"),
    ("85年6月12日", "1985-06-12"),
])
def test_two_digit_years(text, month):
    assert p.parse_month(text, today=date(2026, 5, 1)) == month


def test_two_digit_year_on_the_server_clock():
    assert p.parse_month("85年6月") == "1985-06"
    assert p.parse_date("85年6月12日") == date(1985, 6, 12)


@given(st.integers(0, 99), st.integers(1, 12), st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_two_digit_year_is_never_in_a_future_year(yy, month, today):
    year = int(p.parse_month(f"{yy:02d}年{month}月", today=today)[:4])
    assert year % 100 == yy and today.year - 100 < year <= today.year


# -- 6. yes / no ---------------------------------------------------------------------------------
YES = ["是", "有", "对", "嗯", "好", "可以", "同意", "愿意", "确认", "ok", "获得", "已获得", "是的", "好的", "对的",
       "没错", "没问题", "不错", "对没错", "对，没错", "是没错", "是的，没错", "不是没有", "并非没有", "没毛病",
       "嗯，是的", "我同意", "有专利", "获得了专利", "已授权", "好吧", "可以的", "当然", "肯定有"]
NO = ["否", "没有", "无", "不", "不是", "没", "未", "未获得", "没获得", "不对", "不可以", "不同意", "不愿意", "no",
      "没有的", "嗯，没有", "没有专利", "没有获得专利", "还没有", "正在申请", "还在申请", "不是的", "没有没有", "不是不是",
      "我不同意", "尚未获得"]
UNSURE = ["不知道", "不清楚", "不确定", "说不好", "不好说", "不记得", "忘了", "也许", "可能", "大概吧", "我不知道",
          "可能有", "可能是吧", "不太清楚", "记不清了", "应该是吧"]


@pytest.mark.parametrize("text", YES)
def test_yes_phrases(text):
    assert p.parse_yesno(text) is True


@pytest.mark.parametrize("text", NO)
def test_no_phrases(text):
    assert p.parse_yesno(text) is False


@pytest.mark.parametrize("text", UNSURE)
def test_uncertain_phrases(text):
    with pytest.raises(AnswerError) as exc:
        p.parse_yesno(text)
    assert exc.value.key == "yesno_uncertain"
    assert "是" in t("answers.yesno_uncertain") and "否" in t("answers.yesno_uncertain")


@pytest.mark.parametrize("text", ["随便", "是，没有", "有没有", "没事", "不好意思", "专利", "不说", "没想到", "hello"])
def test_unknown_or_mixed_phrases_are_unclear(text):
    with pytest.raises(AnswerError) as exc:
        p.parse_yesno(text)
    assert exc.value.key == "yesno_unclear"


@given(st.sampled_from(YES), st.sampled_from(["", "。", "！", "!", " ", "~"]))
def test_yes_with_punctuation(text, tail):
    assert p.parse_yesno(text + tail) is True


# -- 7. figures in a summary ----------------------------------------------------------------------
FIGURES = [
    "改造后每年节约成本五十万，效率提高三分之一", "改造后年节约电费12万元", "效率提高30%", "效率提高百分之三十",
    "故障率降低三成", "减少停机5台次", "能耗下降200kWh", "年节约五十万元", "抽调两个班组轮换", "新增三台设备",
    "油温降低5℃", "油温降低五度", "每年节约电能两千千瓦时", "节约原煤一百吨", "工期缩短十五天", "减员三人",
    "维修次数由每月十二次降到两次", "合格率提高了1/3", "节约壹拾万元", "处理时间缩短一小时", "节约十多个工时",
    "三千万元的设备", "效率提高三分之二", "每班少用两人", "电耗降低千分之五",
]
NO_FIGURES = [
    "效果显著，大家都说好", "2020年5月开始实施，效果很好", "我们一直在努力改进设备，效果一直很好",
    "班组一起努力，统一认识，进一步提高质量", "一些问题得到了一般性的解决", "一定要保证安全，这是唯一的办法",
    "万一出现故障，能及时处理，和原来一样好", "一线职工普遍反映良好", "加装了一套自动纠偏装置，运行平稳",
    "设计了一个新的工装夹具，操作十分方便", "千万不能马虎，大家千方百计想办法", "三番五次出现跑偏问题，现已解决",
    "第一次实现了自动控制", "成千上万的职工受益", "2021年3月完成，2021年5月投用", "二〇二〇年五月开始实施",
    "一方面提高效率，另一方面降低成本", "进度一度落后，后来一举赶上", "队伍建设有了新气象，陆续收拾好了",
    "这是难题之一，我们逐一解决", "在第12次会议上通过", "第十二次会议后实施",
]


@pytest.mark.parametrize("text", FIGURES)
def test_figures_counted(text):
    assert p.has_figures(text) is True


@pytest.mark.parametrize("text", NO_FIGURES)
def test_no_figures(text):
    assert p.has_figures(text) is False


# -- 8. prose as typed -----------------------------------------------------------------------------
@pytest.mark.parametrize("raw,stored", [
    ("针对皮带跑偏的问题，加装纠偏装置。", "针对皮带跑偏的问题，加装纠偏装置。"),
    ("皮带输送机（改进型）：自动纠偏", "皮带输送机（改进型）：自动纠偏"),
    ("  项目\u3000名称  ", "项目\u3000名称"), ("一、改造\n二、推广", "一、改造\n二、推广"), ("a\r\nb", "a\nb"),
    ("ＡＢＣ１２３", "ＡＢＣ１２３"), ("a\x00b\x1bc\u200bd\ufeff", "abcd"), ("检修👨‍🔧班组", "检修👨‍🔧班组"),
])
def test_prose_kept_as_typed(raw, stored):
    assert p.parse_text(raw) == stored


@given(st.text())
def test_prose_keeps_every_non_control_character(x):
    kept = p.parse_text(x, min_len=0, max_len=10 ** 6)
    expected = [ch for ch in x.replace("\r\n", "\n").replace("\r", "\n").strip()
                if ch == "\n" or ch in "\u200c\u200d" or "\U000e0020" <= ch <= "\U000e007f"
                or p.unicodedata.category(ch) not in ("Cc", "Cs", "Cf")]
    assert kept == "".join(expected).strip()
    assert set(kept) <= set(x) | {"\n"}


def test_normalise_still_folds_for_matching():
    assert p.normalise("（１）　ＯＫ") == "(1) OK"
