"""The scoring rubric (RULES.md 评分标准) as data: message_templates/zh_CN/rubric.yaml, or the
season's own copy (season setting `rubric`). Pure rules about a score sheet's values: which
bands a criterion has, the bounds of each, the benefit band suggested from the declared
万元/年, and checking one expert's sheet. No database, no service.

    rubric_for(season)                 -> Rubric
    rubric.check(criteria, benefit_kind) -> ({criterion: {"band", "points"}}, total)  or ValidationError
    rubric.suggest_benefit(kind, amount) -> band code or None
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import ValidationError
from ..texts import lookup
from .parsers import Option
from .types import AnswerType, register

CRITERIA = ("innovation", "technology", "benefit", "effect")


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    min: int
    max: int
    kind: str | None = None            # benefit bands: economic | social
    start: Decimal | None = None       # economic: from (inclusive) 万元/年
    below: Decimal | None = None       # economic: below (exclusive) 万元/年


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    bands: tuple[Band, ...]

    def band(self, code: str) -> Band | None:
        return next((b for b in self.bands if b.code == code), None)


def _amount(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    @classmethod
    def from_data(cls, data: dict) -> "Rubric":
        criteria = []
        for code in CRITERIA:
            raw = data["criteria"][code]
            bands = tuple(Band(code=b, label=v["label"], min=int(v["min"]), max=int(v["max"]),
                               kind=v.get("kind"), start=_amount(v.get("from")), below=_amount(v.get("below")))
                          for b, v in raw["bands"].items())
            criteria.append(Criterion(code=code, label=raw["label"], bands=bands))
        return cls(tuple(criteria))

    def criterion(self, code: str) -> Criterion:
        return next(c for c in self.criteria if c.code == code)

    def bands_for(self, code: str, benefit_kind: str | None) -> tuple[Band, ...]:
        """The bands an expert may pick: for benefit, only those of the declared kind."""
        bands = self.criterion(code).bands
        if code == "benefit" and benefit_kind:
            bands = tuple(b for b in bands if b.kind == benefit_kind)
        return bands

    def suggest_benefit(self, kind: str | None, amount) -> str | None:
        """The benefit band the declared 万元/年 falls in (economic only): start ≤ amount < below."""
        if kind != "economic" or amount is None:
            return None
        value = Decimal(str(amount))
        for band in self.bands_for("benefit", "economic"):
            if (band.start is None or value >= band.start) and (band.below is None or value < band.below):
                return band.code
        return None

    def max_total(self) -> int:
        return sum(max(b.max for b in c.bands) for c in self.criteria)

    def check(self, criteria: dict, benefit_kind: str | None) -> tuple[dict, int]:
        """A whole sheet: every criterion once, a band of that criterion (of the declared
        benefit kind), whole points inside the band. Returns the clean sheet and its total."""
        if not isinstance(criteria, dict):
            raise ValidationError("scoring.errors.criteria_missing", code="criteria_missing", field="criteria",
                                  labels=self.labels())
        unknown = [k for k in criteria if k not in CRITERIA]
        if unknown:
            raise ValidationError("scoring.errors.unknown_criterion", code="unknown_criterion",
                                  field=f"criteria.{unknown[0]}", name=str(unknown[0])[:30], labels=self.labels())
        clean, total = {}, 0
        for c in self.criteria:
            clean[c.code] = self.check_one(c, criteria.get(c.code), benefit_kind)
            total += clean[c.code]["points"]
        return clean, total

    def problems(self, criteria: dict, benefit_kind: str | None) -> dict[str, str]:
        """Every wrong criterion of a sheet at once, {field: Chinese message} (a console form
        shows each next to its field); {} when check() would pass."""
        out = {}
        for c in self.criteria:
            try:
                self.check_one(c, (criteria or {}).get(c.code), benefit_kind)
            except ValidationError as exc:
                out[exc.field] = exc.message
        return out

    def check_one(self, c: Criterion, raw, benefit_kind: str | None) -> dict:
        """One criterion's {"band", "points"}: a band of the criterion (of the declared benefit
        kind), whole points inside it."""
        if not isinstance(raw, dict) or "band" not in raw or "points" not in raw:
            raise ValidationError("scoring.errors.criterion_missing", code="criterion_missing",
                                  field=f"criteria.{c.code}", label=c.label)
        band_code, points = raw["band"], raw["points"]
        band = c.band(band_code) if isinstance(band_code, str) else None
        allowed = self.bands_for(c.code, benefit_kind)
        if band is None:
            raise ValidationError("scoring.errors.wrong_band", code="wrong_band", field=f"criteria.{c.code}.band",
                                  label=c.label, band=str(band_code)[:40], bands=_list(allowed))
        if band not in allowed:
            raise ValidationError("scoring.errors.wrong_benefit_kind", code="wrong_benefit_kind",
                                  field=f"criteria.{c.code}.band", band=band.label,
                                  kind=lookup(f"scoring.benefit_kinds.{benefit_kind}"), bands=_list(allowed))
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points != int(points):
            raise ValidationError("scoring.errors.points_not_whole", code="points_not_whole",
                                  field=f"criteria.{c.code}.points", label=c.label, min=band.min, max=band.max)
        points = int(points)
        if not band.min <= points <= band.max:
            raise ValidationError("scoring.errors.points_out_of_band", code="points_out_of_band",
                                  field=f"criteria.{c.code}.points", label=c.label, band=band.label,
                                  points=points, min=band.min, max=band.max)
        return {"band": band.code, "points": points}

    def labels(self) -> str:
        return "、".join(f"{c.code}（{c.label}）" for c in self.criteria)


def _list(bands) -> str:
    return "；".join(f"{b.code}（{b.label}，{b.min}–{b.max}分）" for b in bands)


def rubric_for(season) -> Rubric:
    """The season's rubric (its setting `rubric`), else the rubric of message_templates."""
    data = season.setting("rubric") if season is not None else None
    return Rubric.from_data(data or lookup("rubric"))


def grade_thresholds(season) -> dict[str, int]:
    """{award: lowest rounded total}, highest first (season setting `grade_thresholds`)."""
    data = (season.setting("grade_thresholds") if season is not None else None) or lookup("rubric.grades")
    return dict(sorted(((k, int(v)) for k, v in data.items()), key=lambda kv: -kv[1]))


def grade_for(rounded: int, thresholds: dict[str, int]) -> str | None:
    for award, lowest in thresholds.items():
        if rounded >= lowest:
            return award
    return None


# -- answer types of the scoring flow (message_templates/zh_CN/flows.yaml expert_scoring) --------
# A step names its criterion (`criterion: innovation`). The flow's context subject is a sheet
# cursor (services/scoring_dialogue.py) that knows the entry being scored now: `entry()`,
# `rubric()` and `value(field)` for the current item.
def _band_options(step, ctx) -> list:
    cursor = ctx.subject
    entry = cursor.entry()
    bands = cursor.rubric().bands_for(step.extra["criterion"], entry.benefit_kind if entry else None)
    suggested = cursor.rubric().suggest_benefit(entry.benefit_kind, entry.benefit_amount) if entry else None
    mark = lookup("scoring.dialogue.suggested")
    return [Option(b.code, f"{b.label}（{b.min}–{b.max}分）{mark if b.code == suggested else ''}", (b.label,))
            for b in bands]


def _parse_band(step, raw, ctx) -> str:
    from .parsers import parse_choice
    return parse_choice(raw, _band_options(step, ctx))


def _show_band(step, value, ctx) -> str:
    band = ctx.subject.rubric().criterion(step.extra["criterion"]).band(value)
    return f"{band.label}（{band.min}–{band.max}分）" if band else str(value)


def _parse_points(step, raw, ctx) -> int:
    from .parsers import AnswerError, normalise, read_numeral
    criterion = step.extra["criterion"]
    band = ctx.subject.rubric().criterion(criterion).band(ctx.subject.value(f"{criterion}.band"))
    text = normalise(raw).removesuffix("分")
    number = read_numeral(text) if text else None
    if number is None or number != int(number):
        raise AnswerError("points_not_whole", min=band.min, max=band.max)
    if not band.min <= int(number) <= band.max:
        raise AnswerError("points_out_of_band", band=band.label, min=band.min, max=band.max, points=int(number))
    return int(number)


def _points_options(step, ctx) -> list:
    criterion = step.extra["criterion"]
    band = ctx.subject.rubric().criterion(criterion).band(ctx.subject.value(f"{criterion}.band"))
    return [Option(str(p), str(p)) for p in (band.min, (band.min + band.max) // 2, band.max)] if band else []


# The scoring flow's answer types live beside the rubric they read; the package's __init__
# imports this module, so they are registered whenever any part of forms/ is used.
register("rubric_band", AnswerType(_parse_band, _band_options, _show_band))
register("rubric_points", AnswerType(_parse_points, _points_options, lambda step, value, ctx: f"{value}分"))
