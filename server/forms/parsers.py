"""Answers as people type them on a phone, turned into canonical values.

Every parser takes the raw text (or an already typed JSON value from form mode) and returns
the canonical value, or raises AnswerError naming a message key that says what to send."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from ..errors import ValidationError
from ..texts import t


class AnswerError(ValidationError):
    code = "invalid_answer"

    def __init__(self, key: str, *, kept: bool = False, **params):
        super().__init__(f"answers.{key}", code="invalid_answer", **params)
        self.key = key
        # True when the answer was stored although the rule failed (an ineligible project).
        self.kept = kept
        # A shortlist shown with the message (the closest matches of a search): the next answer
        # may pick one of these by its number (the dialogue remembers what it showed).
        self.options: list[str] = []


class NeedsConfirmation(Exception):
    """The answer was read, but the reading is uncertain (an approximate amount, a figure whose
    unit is doubtful): it is stored only after the person confirms it. Raised by an answer type
    when the context allows asking (`Context.confirmable`) and the answer was not confirmed yet;
    the dialogue asks `message` with 是/否 and, on 是, gives the same answer again confirmed."""

    def __init__(self, key: str, *, declined: str | None = None, **params):
        super().__init__(key)
        self.key = key
        self.message = t(key, **params)
        # what to say on 否 (how to answer instead); None: the dialogue's own words
        self.declined = t(declined, **params) if declined else None


def normalise(text) -> str:
    """Full-width digits and punctuation to half-width, spaces collapsed, ends trimmed."""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


# -- numerals ---------------------------------------------------------------------------------
# Financial (大写) and traditional numerals folded into ordinary ones before any number is read.
_FINANCIAL = str.maketrans({"壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "叄": "三", "肆": "四",
                            "伍": "五", "陆": "六", "陸": "六", "柒": "七", "捌": "八", "玖": "九", "拾": "十",
                            "佰": "百", "仟": "千", "萬": "万", "億": "亿", "圆": "元", "圓": "元", "兩": "两",
                            "廿": "二十", "卅": "三十", "卌": "四十"})


def fold_numerals(text: str) -> str:
    """壹拾万圆整 → 一十万元整, 贰零贰零年伍月 → 二零二零年五月, 廿一 → 二十一, 兩 → 两.
    Only for answers that are numbers or dates: in prose 伍/陆/拾 are ordinary characters (队伍, 大陆, 收拾)."""
    return text.translate(_FINANCIAL)


_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DIGITS = "〇零一二三四五六七八九两"
_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_BIG_UNIT = {"万": 10 ** 4, "亿": 10 ** 8}
_NUMERAL_TOKEN = re.compile(rf"(\d+(?:\.\d+)?)|([{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?)|([十百千万亿])")


def _digitwise(group: str) -> Decimal:
    whole, _, frac = group.partition("点")
    text = "".join(str(_CN_DIGIT[c]) for c in whole) + ("." + "".join(str(_CN_DIGIT[c]) for c in frac) if frac else "")
    return Decimal(text)


def read_numeral(text: str, *, digitwise: bool = False) -> Decimal | None:
    """A numeral in Arabic digits, Chinese numerals or a mix of both, or None when it is not one.

    两万五千 → 25000, 一万零五百 → 10500, 3万5千 → 35000, 2千5百 → 2500, 3.5万 → 35000, 三点五 → 3.5,
    十五 → 15. A lone digit right after a unit is that unit's next place, as people say it:
    一万二 → 12000, 两千五 → 2500, 3万5 → 35000, 一百一 → 110; after 零 it is units (一万零五 → 10005).
    `digitwise` (dates): 二〇二〇 → 2020, a run of Chinese digits read digit by digit; otherwise a run
    of several Chinese digits (三五万: 3 or 5?) is not a numeral."""
    pos, tokens = 0, []
    for m in _NUMERAL_TOKEN.finditer(text):
        if m.start() != pos:
            return None
        pos = m.end()
        tokens.append(m)
    if pos != len(text) or not tokens:
        return None
    result, section = Decimal(0), Decimal(0)
    pending: Decimal | None = None
    pending_single = False           # the pending number is one digit (may be a place after a unit)
    last_small, last_big, last_unit = 10 ** 9, 10 ** 9, None
    zero = False                     # 零 since the last unit: what follows is units, not the next place
    fraction_used = False
    for m in tokens:
        arabic, chinese, unit = m.groups()
        if arabic or chinese:
            if pending is not None:
                return None
            if arabic:
                pending, pending_single = Decimal(arabic), re.fullmatch(r"\d", arabic) is not None
            else:
                group = chinese.lstrip("〇零") if not digitwise else chinese
                if chinese != group:
                    zero = True
                if not group:
                    if not tokens[-1] is m:
                        continue
                    pending, pending_single = Decimal(0), False
                    continue
                if len(group) > 1 and "点" not in group and not digitwise:
                    return None
                pending = _digitwise(group)
                pending_single = len(group) == 1
            if pending != pending.to_integral_value():
                fraction_used = True
        elif unit in _SMALL_UNIT:
            value = _SMALL_UNIT[unit]
            if value >= last_small:
                return None
            if pending is None and (section or result or last_unit):
                return None
            section += (pending if pending is not None else 1) * value
            pending, last_small, last_unit, zero = None, value, value, False
        else:
            value = _BIG_UNIT[unit]
            if value >= last_big:
                return None
            if pending is None and not section:
                return None                # 万 with no number before it
            section += pending if pending is not None else 0
            result += section * value
            section, pending, last_small, last_big, last_unit, zero = Decimal(0), None, 10 ** 9, value, value, False
    if pending is not None:
        if last_unit is not None and fraction_used and pending_single and not zero:
            return None                # 3.5万5: no reading
        if last_unit is not None and pending_single and not zero:
            pending *= Decimal(last_unit) / 10
        elif last_unit is not None and pending != pending.to_integral_value():
            return None
        section += pending
    return result + section


_NUMERAL_RUN = re.compile(r"[〇零一二三四五六七八九两十百千]+")


def _cn_to_digits(text: str) -> str:
    """二〇二〇年五月 → 2020年5月, 廿一日 → 21日 (a date: runs of digits are read digit by digit)."""
    def one(m):
        value = read_numeral(m.group(0), digitwise=True)
        return m.group(0) if value is None else str(value)
    return _NUMERAL_RUN.sub(one, fold_numerals(text))


# -- choices ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    code: str
    label: str
    keywords: tuple[str, ...] = ()


def parse_choice(text, options: list[Option]) -> str:
    answer = normalise(text)
    if not answer:
        raise AnswerError("choice_empty")
    lowered = answer.lower()
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1].code
    for opt in options:   # exact code, label, or label without its 类 suffix
        if lowered in (opt.code.lower(), opt.label.lower(), opt.label.rstrip("类").lower()):
            return opt.code
    hits = [o for o in options
            if any(k and k.lower() in lowered for k in (o.label, o.label.rstrip("类"), *o.keywords))]
    if not hits:
        hits = [o for o in options if len(answer) >= 2 and answer in o.label]
    if len(hits) == 1:
        return hits[0].code
    raise AnswerError("choice_unclear" if hits else "choice_unknown")


# -- yes / no, gender -------------------------------------------------------------------------
# An answer is read as a sequence of known phrases (longest first); phrases are listed, never guessed
# from a first character: 没错/没问题/不错 start with a negation and mean yes, 不知道 means neither.
_YES_VERBS = ("是", "有", "对", "可以", "同意", "愿意", "获得", "授权", "确认", "确定")
_NEG = ("不", "没", "没有", "未", "还没", "还没有", "尚未", "并未", "从未", "暂时没有", "没有被")
_YES_PHRASES = {
    "是", "是的", "是滴", "有", "有的", "有过", "对", "对的", "对头", "嗯", "嗯嗯", "好", "好的", "行", "中", "成",
    "可以", "同意", "愿意", "确认", "确定", "获得", "已获得", "获得了", "已授权", "授权了", "已经授权", "已经获得",
    "当然", "肯定", "必须的", "正确", "没错", "没问题", "没毛病", "不错", "错不了", "可不是", "可不是嘛", "那当然",
    "yes", "y", "yep", "yeah", "ok", "okay", "true", "1", "√", "👌", "👍",
}
_NO_PHRASES = {
    "否", "不", "不是", "没", "没有", "没得", "木有", "无", "非", "未", "并没有", "还没", "还没有", "尚未", "暂无", "暂时没有",
    "不对", "不行", "不好", "不要", "不用", "不需要", "不能", "不会", "不可能", "算了", "错", "错了",
    "正在申请", "在申请", "还在申请", "申请中", "正在申请中",     # a patent applied for is not granted (see its help)
    "no", "n", "nope", "false", "0", "×",
} | {neg + verb for neg in _NEG for verb in _YES_VERBS}
# Negation of a negation is yes: 不是没有, 并非不同意, 没有不愿意.
# (没有没有 and 不是不是 are a no said twice, not a double negation.)
_YES_PHRASES |= {outer + inner for outer in ("不是", "并不是", "并非", "也不是")
                 for inner in ("没有", "没", "无", "不同意", "不愿意", "不可以", "没获得", "未获得")}
_YES_PHRASES |= {outer + inner for outer in ("没有", "并没有") for inner in ("不同意", "不愿意")}
_UNSURE_PHRASES = {
    "不知道", "不清楚", "不确定", "不太清楚", "不太确定", "说不好", "不好说", "不好讲", "说不准", "说不定", "不一定",
    "不记得", "不太记得", "记不清", "记不清了", "记不得", "忘了", "忘记了", "不晓得", "不懂", "不明白", "搞不清",
    "拿不准", "吃不准", "难说", "没想好", "还没想好", "看情况", "待定", "不知", "也许", "可能", "大概", "或许",
    "应该", "估计", "好像", "似乎", "差不多", "也可能", "不好确定", "不太懂", "不了解",
}
_FILLERS = {"我", "我们", "本人", "这个", "那个", "呃", "额", "哦", "噢", "喔", "啊", "呀", "吧", "呢", "啦", "嘛", "哈",
            "了", "的", "过", "专利", "项目", "立项", "经费", "课题"}   # the question's own words echoed back
_SOFT_YES = {"嗯", "嗯嗯", "嗯呢"}    # yes alone; beside other words only a filler (嗯，没有 is no)
# Where two lists hold a phrase the later wins: 不确定 is unsure (not 不 + 确定), 不是没有 is yes.
_YESNO_LOOKUP: dict[str, str] = {
    **{ph: "filler" for ph in _FILLERS}, **{ph: "no" for ph in _NO_PHRASES},
    **{ph: "yes" for ph in _YES_PHRASES - _SOFT_YES}, **{ph: "soft_yes" for ph in _SOFT_YES},
    **{ph: "unsure" for ph in _UNSURE_PHRASES}}
_YESNO_LONGEST = max(len(ph) for ph in _YESNO_LOOKUP)


def _yesno_words(answer: str) -> list[str] | None:
    """Cut the answer into known phrases, longest match first; None when something is unknown."""
    out, i = [], 0
    while i < len(answer):
        for size in range(min(_YESNO_LONGEST, len(answer) - i), 0, -1):
            kind = _YESNO_LOOKUP.get(answer[i:i + size])
            if kind:
                out.append(kind)
                i += size
                break
        else:
            return None
    return out


def parse_yesno(value) -> bool:
    """是/有/对/嗯/好/可以/同意/获得 … → True; 否/没有/不/不是/未获得/不同意 … → False.

    The answer is cut into listed phrases (punctuation and spaces are separators): every phrase that
    says yes or no must agree; 嗯 and the question's own words (我, 专利, 了 …) carry no verdict beside
    others. Phrases that begin with a negation but mean yes (没错, 没问题, 不错, 不是没有) are listed as
    yes; uncertainty (不知道, 可能, 大概吧, 忘了) raises `yesno_uncertain`; anything else, or yes and no
    together, raises `yesno_unclear`."""
    if isinstance(value, bool):
        return value
    answer = "".join(ch for ch in normalise(value).lower()
                     if unicodedata.category(ch)[0] not in "PZC" and ch not in "~～")
    words = _yesno_words(answer) if answer else None
    if not words:
        raise AnswerError("yesno_unclear")
    if "unsure" in words:
        raise AnswerError("yesno_uncertain")
    verdicts = {w for w in words if w in ("yes", "no")} or {"yes" for w in words if w == "soft_yes"}
    if len(verdicts) != 1:
        raise AnswerError("yesno_unclear")
    return verdicts.pop() == "yes"


def parse_gender(value) -> str:
    answer = normalise(value).lower()
    if answer in ("男", "男性", "男士", "m", "male", "1"):
        return "male"
    if answer in ("女", "女性", "女士", "f", "female", "2"):
        return "female"
    raise AnswerError("gender_unclear")


# -- months and dates -------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{2}|\d{4})\s*(?:年|[.\-/])\s*(\d{1,2})\s*(?:月)?(?:\s*(?:[.\-/]|月)?\s*(\d{1,2})\s*[日号]?)?(?:份)?$")


def _century(year: int, today: date | None) -> int:
    """A two-digit year is the latest year ending in those digits that is not in the future (China
    time): in 2026, 20 → 2020, 26 → 2026, 30 → 1930, 85 → 1985. The year alone decides: 26年12月 in
    May 2026 is 2026-12, which the not_future rule then refuses, rather than 1926-12."""
    if year >= 100:
        return year
    if today is None:
        from ..timeutil import china_today
        today = china_today()
    return 2000 + year if 2000 + year <= today.year else 1900 + year


def _ymd(text, today: date | None = None) -> tuple[int, int, int | None]:
    answer = _cn_to_digits(normalise(text)).replace(" ", "")
    compact = re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", answer)   # 202005 or 20200512
    m = compact or _DATE.match(answer)
    if not m:
        raise AnswerError("date_unclear")
    year, month = _century(int(m.group(1)), today), int(m.group(2))
    day = int(m.group(3)) if m.group(3) else None
    if not 1 <= month <= 12:
        raise AnswerError("month_out_of_range", month=month)
    if day is not None:
        try:
            date(year, month, day)
        except ValueError:
            raise AnswerError("day_out_of_range", year=year, month=month, day=day)
    if not 1900 <= year <= 2100:
        raise AnswerError("date_unclear")
    return year, month, day


def parse_month(text, *, today: date | None = None) -> str:
    """'YYYY-MM', or 'YYYY-MM-DD' when a day was given (DESIGN: a month or a full date).

    2020年5月, 2020.5, 202005, 二〇二〇年五月, 贰零贰零年伍月 (大写), 廿一日. A two-digit year (85年6月)
    is the latest such year not after today's (China time; `today` for tests): 85 → 1985, 20 → 2020,
    and in 2026 30 → 1930."""
    year, month, day = _ymd(text, today)
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def parse_date(text, *, today: date | None = None) -> date:
    """A day: the forms of parse_month with a day; two-digit years as there."""
    year, month, day = _ymd(text, today)
    if day is None:
        raise AnswerError("date_needs_day")
    return date(year, month, day)


# -- amounts ----------------------------------------------------------------------------------
# The amount question says 单位：万元/年, so a bare number is in 万元 however it is written: 3000 and 三千
# are both 3000 万元. A yearly benefit that large is rare for one 五小 project (a shop-floor improvement;
# a benefit of hundreds of 万元 a year is already exceptional), while the same figure in 元 (3000 元 =
# 0.3 万元) is an ordinary one: from 1000 万元 a bare number is confirmed back with both readings. A
# confirmation costs one "对"; a wrong unit is a 10,000-fold error in the published results.
IMPLAUSIBLE_BARE_AMOUNT = Decimal(1000)
_CENT = Decimal("0.01")
_APPROX_BEFORE = ("大约", "大概", "约为", "约合", "约", "将近", "接近", "近", "差不多", "估计", "预计", "大致", "估算")
_APPROX_AFTER = ("左右", "上下", "出头", "的样子", "样子", "以上", "有余")   # 100万元以上: at least the base
_LEAD_WORDS = ("每年", "年均", "平均", "一年", "全年", "每年度", "年度", "年", "共计", "合计", "总计", "共", "可达",
               "达到", "达", "节约", "节省", "创效", "增效", "增收", "创造", "效益", "经济效益", "是", "为", "有")
_TAIL_WORDS = ("/年", "每年", "一年", "/年度", "每年度", "人民币", "rmb", "整", "吧", "啊", "呀", "的")


@dataclass(frozen=True)
class AmountReading:
    """How an amount answer was read (see read_amount).

    amount: the reading stored, in 万元/年, to 0.01.
    approximate: the answer said so (50多万, 约50万, 50万左右 …): the base figure is read.
    unit_stated: 元/块/万/亿 was written (or the value came typed from form mode); a bare number is 万元.
    alternatives: other readings, in 万元, worth offering: a bare number of IMPLAUSIBLE_BARE_AMOUNT 万元 or
    more also read as 元 (三千 → 3000 万元, or 0.3 万元 = 3000 元)."""
    amount: Decimal
    approximate: bool = False
    unit_stated: bool = True
    alternatives: tuple[Decimal, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        return self.approximate or bool(self.alternatives)

    def confirmation(self) -> tuple[str, dict] | None:
        """(message key, params) of the confirm-back question, or None when the reading is plain:
        answers.amount_confirm "按 {amount} 万元/年 记录，对吗？", or answers.amount_confirm_unit
        "… 还是 {alt} 元？" with the first alternative in 元."""
        if self.alternatives:
            # the other reading is the same figure in 元, as typed (2000.5 → "还是 2000.5 元？"), not the
            # alternative rounded to 0.01 万元 and back (which said "还是 2000 元？")
            return "answers.amount_confirm_unit", {"amount": format_amount(self.amount), "alt": format_amount(self.amount)}
        if self.approximate:
            return "answers.amount_confirm", {"amount": format_amount(self.amount)}
        return None


def format_amount(value) -> str:
    """Decimal('3000.00') → '3000', Decimal('12.50') → '12.5' (as amount_display shows it)."""
    return f"{Decimal(value).normalize():f}"


def _strip_words(answer: str, words: tuple[str, ...], *, at_end: bool) -> tuple[str, set[str]]:
    """Take listed words off one end of the answer, as many as there are; return what is left and them."""
    found, changed = set(), True
    while changed:
        changed = False
        for w in sorted(words, key=len, reverse=True):
            if (answer.endswith(w) if at_end else answer.startswith(w)) and len(answer) > len(w):
                answer = answer[:-len(w)] if at_end else answer[len(w):]
                found.add(w)
                changed = True
                break
    return answer, found


def read_amount(value) -> AmountReading:
    """Read an amount answer in 万元/年. Raises AnswerError amount_unclear / amount_out_of_range.

    Forms: 50万, 五十万元, 500000元, 0.5亿, 1.2万, 5w; 两万五千元, 一万零五百元, 3万5千, 1万2 (= 1.2 万),
    2千5百元; 大写 壹拾万元整; 块/块钱 = 元, 整 adds nothing; 5万块钱. Approximate forms (50多万, 十来万,
    5万余元, 约/大约/近/差不多 50万, 50万左右) are read as the base figure with approximate=True.
    A number without 元/块/万/亿 is in 万元 (the question's unit): 50 and 五十 are 50 万元, 3000 and
    三千 are 3000 万元 (unit_stated=False; from IMPLAUSIBLE_BARE_AMOUNT on, the 元 reading is offered
    as an alternative). 3千元 is 0.3 万元."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        try:
            return AmountReading(_in_range(Decimal(str(value))))
        except InvalidOperation:
            raise AnswerError("amount_unclear")
    answer = fold_numerals(normalise(value)).lower()
    answer = "".join(ch for ch in answer if not ch.isspace() and ch not in ",，'")
    answer = answer.rstrip("。.!！~～?？")
    answer, lead = _strip_words(answer, _LEAD_WORDS + _APPROX_BEFORE, at_end=False)
    answer = answer.replace("块钱", "元").replace("元钱", "元").replace("块", "元")
    answer, tail = _strip_words(answer, _TAIL_WORDS + _APPROX_AFTER, at_end=True)
    approximate = bool(lead & set(_APPROX_BEFORE) or tail & set(_APPROX_AFTER))
    answer = re.sub(r"(?<=\d)w", "万", answer)
    # 50多万, 十来万, 十几万, 5万多元, 5万余: a number and "more than that"
    answer, approx_inner = re.subn(r"(?<=[\d〇零一二三四五六七八九两十百千万亿])(?:多|余|来|几|许)(?=[万亿元]|$)", "", answer)
    jiao = re.fullmatch(r"(.+?)元(?:([\d〇零一二三四五六七八九两])角)?(?:([\d〇零一二三四五六七八九两])分)?", answer)
    yuan = jiao is not None
    numeral = jiao.group(1) if jiao else answer
    number = read_numeral(numeral)
    if number is None:
        raise AnswerError("amount_unclear")
    if jiao:
        for digit, place in ((jiao.group(2), Decimal("0.1")), (jiao.group(3), Decimal("0.01"))):
            if digit:
                number += read_numeral(digit) * place
    unit_stated = yuan or bool(re.search("[万亿]", numeral))
    amount = _in_range(number / 10000 if unit_stated else number)
    alternatives: tuple[Decimal, ...] = ()
    if not unit_stated and amount >= IMPLAUSIBLE_BARE_AMOUNT:
        alternatives = ((amount / 10000).quantize(_CENT),)
    return AmountReading(amount, approximate=approximate or bool(approx_inner),
                         unit_stated=unit_stated, alternatives=alternatives)


def _in_range(amount: Decimal) -> Decimal:
    try:
        amount = amount.quantize(_CENT)
    except InvalidOperation:
        raise AnswerError("amount_out_of_range")
    if amount < 0 or amount > Decimal("10000000"):
        raise AnswerError("amount_out_of_range")
    return amount


def parse_amount(value) -> Decimal:
    """The amount in 万元 (per year) as read_amount reads it, for form mode and storage."""
    return read_amount(value).amount


# -- phone, patent ----------------------------------------------------------------------------
def parse_mobile(value) -> str:
    digits = re.sub(r"[\s\-()（）]", "", normalise(value))
    digits = re.sub(r"^(\+?86|0086)", "", digits)
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise AnswerError("mobile_invalid")
    return digits


_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def patent_check_digit(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, _PATENT_WEIGHTS))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def parse_patent_number(value) -> str:
    """ZL 2020 2 1234567.8 → ZL202021234567.8, with the check digit verified. Accepts the
    12-digit form (since 2003) and the older 8-digit form; ZL and the dot are optional."""
    answer = normalise(value).upper().replace(" ", "").replace("．", ".")
    m = re.fullmatch(r"(?:ZL)?(\d{12}|\d{8})\.?([\dX])", answer)
    if not m:
        raise AnswerError("patent_format")
    digits, check = m.groups()
    if patent_check_digit(digits) != check:
        raise AnswerError("patent_check_digit")
    return f"ZL{digits}.{check}"


# -- text -------------------------------------------------------------------------------------
# has_figures: a summary must give data. A figure is a number with what it counts or measures, a
# fraction or a percentage, written in digits or in Chinese; a date alone is not one (2020年5月).
_CALENDAR = "年月日号届期"
# Words measured or counted after a number. 一 before a counting word is mostly the article (加装一套
# 装置, 一个问题), so it counts only before a measure (一吨, 一小时, 一万元); 两 and up count before either.
_MEASURES = ("千瓦时", "兆瓦时", "千瓦", "兆瓦", "万元", "亿元", "元", "块钱", "吨", "公斤", "千克", "克", "斤", "公里",
             "千米", "厘米", "毫米", "平方米", "平米", "立方米", "立方", "米", "升", "毫升", "度", "伏", "安培", "瓦",
             "小时", "分钟", "秒", "天", "周", "个月", "倍", "成", "万", "亿", "℃", "°", "%", "‰")
_COUNTERS = ("人次", "台次", "个", "种", "项", "套", "台", "件", "名", "位", "人", "条", "根", "批", "组", "班", "处",
             "座", "辆", "部", "道", "张", "只", "支", "把", "片", "次", "起", "家", "户", "例", "层", "排", "遍", "趟",
             "节", "车", "箱", "块", "颗", "吨次", "班组", "工时", "工日")
# Words with a numeral inside that are no quantity; blanked out unless a numeral stands right before
# them (三万一 is 3.1 万, 万一 is "in case").
_NOT_NUMBERS = (
    "一直", "一起", "统一", "一些", "一般", "进一步", "一定", "唯一", "万一", "一样", "一线", "一致", "一切", "一旦",
    "一向", "一律", "一贯", "同一", "一下", "一点", "一边", "一同", "一再", "一度", "一流", "一体", "一举", "一系列",
    "一方面", "一次性", "一步", "逐一", "之一", "一道", "一心", "一时", "一块儿", "一会", "一番", "一手", "十分", "万分",
    "千万", "万众", "千方百计", "成千上万", "千家万户", "万无一失", "十全十美", "三番五次", "一五一十", "七上八下",
    "四面八方", "五花八门", "三心二意", "九牛一毛", "一举两得", "一石二鸟", "四通八达", "五湖四海", "三令五申",
    "一干二净", "接二连三", "乱七八糟", "七嘴八舌", "五颜六色", "三三两两", "两全其美", "独一无二", "一分为二",
    "一模一样", "一清二楚", "一丝不苟", "一成不变", "一心一意", "两手抓", "两面", "两者", "两岸", "不二", "专一",
    "如一", "第一", "星期一", "周一", "一把手", "一年四季", "一如既往")
_NUMERAL_CHARS = "〇零一二三四五六七八九两十百千万亿"
_CN_FIGURE = re.compile(rf"(?<![第{_NUMERAL_CHARS}])([{_NUMERAL_CHARS}]+)(?:点[{_NUMERAL_CHARS}]+)?(多|余|来|几)?")
_FRACTION = re.compile(rf"[\d{_NUMERAL_CHARS}]+分之[\d{_NUMERAL_CHARS}]+|\d+(?:\.\d+)?\s*/\s*\d+(?!\s*[{_CALENDAR}])"
                       rf"|百分之|千分之")
_ARABIC_FIGURE = re.compile(rf"(?<![第\d.])\d+(?:\.\d+)?\s*(?:[%‰℃°]|[a-zA-Z]+|(?![{_CALENDAR}])[\u4e00-\u9fff])")
_FINANCIAL_RUN = re.compile(r"[壹贰貳叁參肆伍陆陸柒捌玖拾佰仟萬億零〇]{2,}")


def _blank_words(text: str) -> str:
    """Blank out the words of _NOT_NUMBERS (unless a numeral stands just before them)."""
    for word in sorted(_NOT_NUMBERS, key=len, reverse=True):
        text = re.sub(rf"(?<![\d{_NUMERAL_CHARS}]){word}", "□" * len(word), text)
    return text


def has_figures(text: str) -> bool:
    """Whether a summary gives a figure: a number with what it counts or measures (12万元, 五十万,
    5台, 两个班组, 200kWh, 5℃, 五度, 三小时), a fraction (三分之一, 1/3) or a percentage (30%,
    百分之三十, 三成). Not: a date alone (2020年5月), an ordinal (第一), the 一 inside a word (一直,
    统一, 进一步, 万一 …), an idiom (三番五次), nor 一 as an article (一套装置, 一个问题)."""
    answer = normalise(text)
    answer = _FINANCIAL_RUN.sub(lambda m: fold_numerals(m.group(0)), answer)
    if _FRACTION.search(answer):
        return True
    answer = _blank_words(answer)
    if _ARABIC_FIGURE.search(answer):
        return True
    for m in _CN_FIGURE.finditer(answer):
        run, after = m.group(1), answer[m.end():]
        if re.search("[一二三四五六七八九两十]", run) is None:
            continue                                  # 百万, 零: no digit, no figure
        if re.search("[万亿]", run):
            return True                               # 五十万, 两万: an amount
        after = after.lstrip(" ")
        if after.startswith(_MEASURES) or re.match(r"[a-zA-Z]+", after):
            return True
        if after.startswith(_COUNTERS) and (run.strip("〇零") != "一" or m.group(2)):
            return True
    return False


_KEEP_FORMAT = {"\u200c", "\u200d"}   # zero-width (non-)joiner: parts of emoji and of some scripts


def clean_prose(value) -> str:
    """Prose exactly as typed: full-width punctuation （）：，。 and all interior spacing kept; only
    control characters dropped (newlines kept, \r\n → \n), with invisible format characters (zero-width
    space, BOM, direction overrides) and lone surrogates, and the ends trimmed.

    Interior spaces are not collapsed: people space titles and lists on purpose (一、…  二、…), and a
    stored text should read as it was typed. Width folding (normalise) is for numbers, codes and
    commands, not for prose."""
    if not isinstance(value, str):
        value = str(value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for ch in value:
        cat = unicodedata.category(ch)
        if ch == "\n" or ch in _KEEP_FORMAT or "\U000e0020" <= ch <= "\U000e007f":   # tags: flag emoji
            kept.append(ch)
        elif cat in ("Cc", "Cs", "Cf"):
            continue
        else:
            kept.append(ch)
    return "".join(kept).strip()


def parse_text(value, *, min_len: int = 1, max_len: int = 2000) -> str:
    """Free text (titles, names, summaries) as typed: see clean_prose."""
    text = clean_prose(value)
    if len(text) < min_len:
        raise AnswerError("text_too_short", min=min_len, length=len(text), more=min_len - len(text))
    if len(text) > max_len:
        raise AnswerError("text_too_long", max=max_len, length=len(text))
    return text


# -- counts -----------------------------------------------------------------------------------
_COUNT_WORDS = ("人次", "次", "个", "人", "名", "位", "项", "场", "件", "期", "多", "余", "来", "左右", "约", "大约", "共",
                "一共", "大概", "差不多", "将近", "近")   # 120多人, 五十余名, 三十来人: the base figure, as for amounts
_NONE_WORDS = {"没有", "无", "没", "一次也没有", "一个也没有", "没开展", "零"}


_APPROX_COUNT = ("多", "余", "来", "左右", "约", "大约", "大概", "差不多", "将近", "近")


def parse_count(value, *, max_value: int = 10 ** 6) -> int:
    """A whole number of times, people or items: 3, 三次, 十二人, 1,200人, 一百二十名, 没有 → 0.
    Refuses fractions (2.5人), negatives, and figures above `max_value` (a monthly report with
    more participants than plausible is a typo, not data). 120多人 is read as 120 (see read_count)."""
    return read_count(value, max_value=max_value)[0]


def read_count(value, *, max_value: int = 10 ** 6) -> tuple[int, bool]:
    """(the count, whether the answer said it is approximate: 120多人, 五十余名, 约30人, 30人左右)."""
    approximate = isinstance(value, str) and any(w in normalise(value) for w in _APPROX_COUNT)
    return _parse_count(value, max_value=max_value), approximate


def _parse_count(value, *, max_value: int) -> int:
    if isinstance(value, bool):
        raise AnswerError("count_unclear")
    if isinstance(value, int):
        number = Decimal(value)
    else:
        text = fold_numerals(normalise(value)).replace(",", "").replace("，", "").replace(" ", "")
        if text in _NONE_WORDS:
            return 0
        if text.startswith("-") or text.startswith("负"):
            raise AnswerError("count_negative")
        for word in sorted(_COUNT_WORDS, key=len, reverse=True):
            text = text.replace(word, "")
        number = read_numeral(text) if text else None
        if number is None:
            raise AnswerError("count_unclear")
    if number < 0:
        raise AnswerError("count_negative")
    if number != number.to_integral_value():
        raise AnswerError("count_not_whole")
    if number > max_value:
        raise AnswerError("count_too_large", max=max_value)
    return int(number)
