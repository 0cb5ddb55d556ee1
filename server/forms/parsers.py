"""Answers as people type them on a phone, turned into canonical values.

Every parser takes the raw text (or an already typed JSON value from form mode) and returns
the canonical value, or raises AnswerError naming a message key that says what to send."""
from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from ..errors import ValidationError


class AnswerError(ValidationError):
    code = "invalid_answer"

    def __init__(self, key: str, *, kept: bool = False, **params):
        super().__init__(f"answers.{key}", code="invalid_answer", **params)
        self.key = key
        # True when the answer was stored although the rule failed (an ineligible project).
        self.kept = kept


def normalise(text) -> str:
    """Full-width digits and punctuation to half-width, spaces collapsed, ends trimmed."""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


def _cn_to_digits(text: str) -> str:
    """二〇二〇年五月 → 2020年5月, 五十万元 → 500000元 (cn2an); other text unchanged."""
    if not re.search(r"[〇零一二三四五六七八九十百千万亿两点]", text):
        return text
    import cn2an
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cn2an.transform(text, "cn2an")
        except Exception:     # cn2an rejects some mixes; the caller reports the answer as unclear
            return text


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
_YES = {"是", "有", "对", "嗯", "好", "可以", "yes", "y", "是的", "有的", "对的", "嗯嗯", "好的", "确认", "ok", "获得", "已获得", "true", "1",
        "同意", "愿意"}    # the answers to 是否同意 (the farmer's consent)
_NO = {"否", "没有", "无", "不", "不是", "no", "n", "没", "未", "未获得", "没获得", "不对", "false", "0", "不可以"}


def parse_yesno(value) -> bool:
    if isinstance(value, bool):
        return value
    answer = normalise(value).lower().rstrip("。.!！~")
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    if answer.startswith(("没", "不", "无", "否", "未")):
        return False
    if answer.startswith(("是", "有", "对", "嗯", "好")):
        return True
    raise AnswerError("yesno_unclear")


def parse_gender(value) -> str:
    answer = normalise(value).lower()
    if answer in ("男", "男性", "男士", "m", "male", "1"):
        return "male"
    if answer in ("女", "女性", "女士", "f", "female", "2"):
        return "female"
    raise AnswerError("gender_unclear")


# -- months and dates -------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{2}|\d{4})\s*(?:年|[.\-/])\s*(\d{1,2})\s*(?:月)?(?:\s*(?:[.\-/]|月)?\s*(\d{1,2})\s*[日号]?)?(?:份)?$")


def _ymd(text) -> tuple[int, int, int | None]:
    answer = _cn_to_digits(normalise(text)).replace(" ", "")
    compact = re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", answer)   # 202005 or 20200512
    m = compact or _DATE.match(answer)
    if not m:
        raise AnswerError("date_unclear")
    year, month = int(m.group(1)), int(m.group(2))
    day = int(m.group(3)) if m.group(3) else None
    if year < 100:
        year += 2000
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


def parse_month(text) -> str:
    """'YYYY-MM', or 'YYYY-MM-DD' when a day was given (DESIGN: a month or a full date)."""
    year, month, day = _ymd(text)
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def parse_date(text) -> date:
    year, month, day = _ymd(text)
    if day is None:
        raise AnswerError("date_needs_day")
    return date(year, month, day)


# -- amounts ----------------------------------------------------------------------------------
_UNITS = {"亿": Decimal(10000), "万": Decimal(1), "千": Decimal("0.1"), "元": Decimal("0.0001")}


def _number(text: str) -> Decimal:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    if re.fullmatch(r"[〇零一二三四五六七八九十百千两点]+", text):
        import cn2an
        try:
            return Decimal(str(cn2an.cn2an(text, "smart")))
        except (ValueError, KeyError):
            pass
    raise AnswerError("amount_unclear")


def parse_amount(value) -> Decimal:
    """An amount in 万元 (per year): 50万, 五十万元, 500000元, 0.5亿, 1.2万; a bare number is 万元."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number, unit = Decimal(str(value)), "万"
    else:
        answer = re.sub(r"[,，\s]", "", normalise(value))
        answer = re.sub(r"(?:/年|每年|一年|年)$", "", answer)
        answer = re.sub(r"^(?:约|大约|每年|年均|平均|年)+", "", answer)
        answer = re.sub(r"(?:人民币|RMB)$", "", answer, flags=re.I)
        m = re.fullmatch(r"(.+?)(亿元?|万元?|千元?|元)?", answer)
        if not m:
            raise AnswerError("amount_unclear")
        number, unit = _number(m.group(1)), (m.group(2) or "万")[0]
    try:
        amount = (number * _UNITS[unit]).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise AnswerError("amount_unclear")
    if amount < 0 or amount > Decimal("10000000"):
        raise AnswerError("amount_out_of_range")
    return amount


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
# A number followed by a unit: a percentage, latin units (kg, kWh) or a Chinese measure word —
# but not a calendar word, so "2020年5月" alone is not a figure.
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|‰|[a-zA-Z]+|(?![年月日号届期])[\u4e00-\u9fff])|百分之")


def has_figures(text: str) -> bool:
    """A figure is a number with a unit (12万元, 30%, 5台, 200kg) or a percentage."""
    return bool(_FIGURE.search(_cn_to_digits(normalise(text))))


def parse_text(value, *, min_len: int = 1, max_len: int = 2000) -> str:
    text = normalise(value)
    if len(text) < min_len:
        raise AnswerError("text_too_short", min=min_len)
    if len(text) > max_len:
        raise AnswerError("text_too_long", max=max_len, length=len(text))
    return text
