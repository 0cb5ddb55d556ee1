"""The publicity period (公示, issue 16 item 5): the public list and objections (异议) for the
mini-program; the city office's answers, the period's setting and the manual finalisation."""
from __future__ import annotations

from typing import Any

from flask import g
from pydantic import BaseModel, Field

from ..services import publicity
from ..services.seasons import get_season
from . import bp
from .endpoint import endpoint
from .schemas import StrictIn


class PublicityOut(BaseModel):
    season_id: int
    season: str
    state: dict[str, Any]
    awards: list[dict[str, Any]]


class ObjectionIn(StrictIn):
    entry_id: int = Field(description="公示名单中成果的编号")
    reason: str = Field(default="", description="异议理由（必填，最多 1000 字）")


class ObjectionsOut(BaseModel):
    objections: list[dict[str, Any]]


class AnswerIn(StrictIn):
    answer: str = Field(default="", description="答复内容（必填）")
    award: str | None = Field(default=None, description="需要改变奖项时：special、excellent、none（不授奖）或 grade（按评分等级）")


class DaysIn(StrictIn):
    days: int = Field(description="公示期天数，0 表示不设公示期")


class ResultOut(BaseModel):
    ok: bool = True
    detail: dict[str, Any] = Field(default_factory=dict)


@endpoint(bp, "/seasons/<int:season_id>/publicity", "GET", response=PublicityOut, tag="publicity",
          summary="评审结果公示名单（拟获奖成果、带头人、单位、拟授奖项）和公示期", errors=(401, 404))
def publicity_list(season_id: int):
    return PublicityOut(**publicity.public_list(get_season(season_id)))


@endpoint(bp, "/seasons/<int:season_id>/objections", "POST", body=ObjectionIn, response=ObjectionsOut,
          tag="publicity", summary="公示期内对公示名单中的成果提出异议（写明理由）", errors=(400, 401, 404, 409), success=201)
def file_objection(season_id: int, payload: ObjectionIn):
    row = publicity.file(g.user, get_season(season_id), payload.entry_id, payload.reason)
    return ObjectionsOut(objections=[publicity.objection_out(row)]), 201


@endpoint(bp, "/me/objections", "GET", response=ObjectionsOut, tag="publicity",
          summary="我提出的异议及答复", errors=(401,))
def my_objections():
    return ObjectionsOut(objections=publicity.mine(g.user))


@endpoint(bp, "/admin/seasons/<int:season_id>/objections", "GET", response=ObjectionsOut, tag="publicity",
          summary="本赛季的全部异议（市级管理员；未答复的在前）", errors=(401, 403, 404))
def season_objections(season_id: int):
    return ObjectionsOut(objections=publicity.for_office(g.user, get_season(season_id)))


@endpoint(bp, "/admin/objections/<int:objection_id>/answer", "POST", body=AnswerIn, response=ObjectionsOut,
          tag="publicity", summary="答复一条异议（可同时改变该成果的奖项，以答复为理由）",
          errors=(400, 401, 403, 404, 409))
def answer_objection(objection_id: int, payload: AnswerIn):
    row = publicity.answer(g.user, objection_id, payload.answer, payload.award)
    return ObjectionsOut(objections=[publicity.objection_out(row, office=True)])


@endpoint(bp, "/admin/seasons/<int:season_id>/publicity", "PUT", body=DaysIn, response=ResultOut,
          tag="publicity", summary="设置公示期天数（结果发布前；0 为不设公示期）", errors=(400, 401, 403, 404, 409))
def set_publicity_days(season_id: int, payload: DaysIn):
    return ResultOut(detail={"days": publicity.set_days(g.user, get_season(season_id), payload.days)})


@endpoint(bp, "/admin/seasons/<int:season_id>/finalise", "POST", response=ResultOut, tag="publicity",
          summary="公示期结束、异议全部答复后确定结果（到期后也会自动确定）", errors=(401, 403, 404, 409))
def finalise_results(season_id: int):
    return ResultOut(detail=publicity.finalise(g.user, get_season(season_id)))
