"""Skill-grade promotions per person (recorded and confirmed by the unit admin) and the
denominators a county enters per unit type (issue 18 item 1)."""
from __future__ import annotations

from datetime import date, datetime

from flask import g
from pydantic import BaseModel, Field, StrictInt

from ..models import Denominator, SkillPromotion
from ..services import tallies
from ..texts import lookup
from . import bp
from .endpoint import endpoint
from .schemas import ID



class PromotionIn(BaseModel):
    org_id: int = Field(**ID, description="晋升人员所在的基层单位编号")
    person_name: str | None = Field(default=None, max_length=50, description="姓名")
    from_grade: str | None = Field(default=None, max_length=20, description="原等级（可不填：原来没有等级）")
    to_grade: str | None = Field(default=None, max_length=20, description="晋升后等级：初级工、中级工、高级工、技师、高级技师")
    promoted_on: str | None = Field(default=None, max_length=20, description="晋升日期 YYYY-MM-DD")
    entry_id: StrictInt | None = Field(default=None, description="相关成果编号（可不填）")


class PromotionOut(BaseModel):
    id: int
    org_id: int
    org_name: str
    person_name: str
    from_grade: str | None
    from_grade_label: str
    to_grade: str
    to_grade_label: str
    promoted_on: date
    entry_id: int | None
    confirmed: bool
    confirmed_at: datetime | None


class PromotionListOut(BaseModel):
    promotions: list[PromotionOut]


class OrgQuery(BaseModel):
    org_id: int = Field(**ID, description="组织编号（本单位或管理范围内的上级）")


class DenominatorIn(BaseModel):
    org_id: int = Field(**ID, description="县（区）或产业工会编号")
    unit_type: str | None = Field(default=None, max_length=30, description="单位类型，如 non_public 或“非公有制企业”")
    units: StrictInt | str | None = Field(default=None, description="单位数（家）")
    employees: StrictInt | str | None = Field(default=None, description="职工数（人，可不填）")
    source: str | None = Field(default=None, max_length=400, description="数据来源")
    as_of: str | None = Field(default=None, max_length=20, description="数据日期 YYYY-MM-DD")


class DenominatorOut(BaseModel):
    id: int
    org_id: int
    org_name: str
    unit_type: str
    unit_type_label: str
    units: int
    employees: int | None
    source: str
    as_of: date


class DenominatorListOut(BaseModel):
    denominators: list[DenominatorOut]


def promotion_out(p: SkillPromotion) -> PromotionOut:
    grades = lookup("tallies.grades")
    return PromotionOut(id=p.id, org_id=p.org_id, org_name=p.org.name, person_name=p.person_name,
                        from_grade=p.from_grade, from_grade_label=grades.get(p.from_grade, lookup("tallies.no_grade")),
                        to_grade=p.to_grade, to_grade_label=grades[p.to_grade], promoted_on=p.promoted_on,
                        entry_id=p.entry_id, confirmed=p.confirmed_at is not None, confirmed_at=p.confirmed_at)


def denominator_out(d: Denominator) -> DenominatorOut:
    return DenominatorOut(id=d.id, org_id=d.org_id, org_name=d.org.name, unit_type=d.unit_type,
                          unit_type_label=lookup("catalog.unit_types").get(d.unit_type, d.unit_type), units=d.units,
                          employees=d.employees, source=d.source, as_of=d.as_of)


@endpoint(bp, "/promotions", "POST", body=PromotionIn, response=PromotionOut, tag="reports",
          summary="登记一人的技能等级晋升（本单位管理员；确认后计入统计）", errors=(400, 401, 403, 404, 409))
def record_promotion(payload: PromotionIn):
    return promotion_out(tallies.record_promotion(g.user, payload.org_id, payload.model_dump(exclude={"org_id"}))), 201


@endpoint(bp, "/promotions/<int:promotion_id>/confirm", "POST", response=PromotionOut, tag="reports",
          summary="确认一条技能等级晋升登记（本单位管理员）", errors=(401, 403, 404, 409))
def confirm_promotion(promotion_id: int):
    return promotion_out(tallies.confirm_promotion(g.user, promotion_id))


@endpoint(bp, "/promotions", "GET", response=PromotionListOut, tag="reports",
          summary="管理范围内的技能等级晋升登记（?org_id=）", errors=(400, 401, 403, 404),
          query=OrgQuery)
def list_promotions(query: OrgQuery):
    return PromotionListOut(promotions=[promotion_out(p) for p in tallies.promotions_for(g.user, query.org_id)])


@endpoint(bp, "/denominators", "POST", body=DenominatorIn, response=DenominatorOut, tag="stats",
          summary="填报统计基数（县区/产业工会管理员：某类单位的单位数和职工数，注明来源和日期）",
          errors=(400, 401, 403, 404, 409))
def enter_denominator(payload: DenominatorIn):
    return denominator_out(tallies.enter_denominator(g.user, payload.org_id, payload.model_dump(exclude={"org_id"}))), 201


@endpoint(bp, "/denominators", "GET", response=DenominatorListOut, tag="stats",
          summary="管理范围内填报的统计基数（?org_id=）", errors=(400, 401, 403, 404),
          query=OrgQuery)
def list_denominators(query: OrgQuery):
    found = tallies.denominators_for(g.user, query.org_id)
    return DenominatorListOut(denominators=[denominator_out(d) for d in found])
