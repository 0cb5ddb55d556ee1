"""Seasons for scripts (issue 14): GET/POST/PATCH /api/v1/admin/seasons, the same service and
checks as the console's season form (services/season_admin.py)."""
from __future__ import annotations

from datetime import date

from flask import g
from pydantic import BaseModel, Field

from ..services import season_admin
from . import bp
from .endpoint import endpoint
from .schemas import StrictIn


class CategoryOut(BaseModel):
    code: str
    label: str


class SeasonAdminOut(BaseModel):
    id: int
    name: str
    year: int
    org_id: int | None
    organise_start: date
    organise_end: date
    submit_start: date
    submit_end: date
    review_start: date
    review_end: date
    publish_start: date
    publish_end: date
    achievement_from: str
    achievement_to: str
    grace_minutes: int
    categories: list[CategoryOut]
    industries: list[str]
    targets: dict[str, float]
    reminders: dict


class SeasonListOut(BaseModel):
    seasons: list[SeasonAdminOut]


class SeasonPatchIn(StrictIn):
    """Any of the season's fields; dates as YYYY-MM-DD (China time), months as YYYY-MM."""
    name: str | None = Field(None, description="赛季名称")
    year: int | None = None
    org_id: int | None = Field(None, description="主办单位（市或省）的机构编号")
    organise_start: str | None = None
    organise_end: str | None = None
    submit_start: str | None = None
    submit_end: str | None = None
    review_start: str | None = None
    review_end: str | None = None
    publish_start: str | None = None
    publish_end: str | None = None
    achievement_from: str | None = Field(None, description="成果时间范围起，YYYY-MM")
    achievement_to: str | None = Field(None, description="成果时间范围止，YYYY-MM")
    grace_minutes: int | None = None
    categories: list[str] | None = Field(None, description="项目类型代码，如 product")
    industries: list[str] | None = None
    targets: dict[str, float] | None = Field(None, description="单位类型 → 参与率（0~1）")
    reminders: dict[str, str | int] | None = None


class SeasonCreateIn(SeasonPatchIn):
    name: str
    org_id: int


def _out(season) -> SeasonAdminOut:
    return SeasonAdminOut.model_validate(season, from_attributes=True)


@endpoint(bp, "/admin/seasons", "GET", response=SeasonListOut, tag="admin",
          summary="本人可管理的赛季（市级管理员；省级的可看各市）", errors=(401, 403))
def list_seasons():
    return SeasonListOut(seasons=[_out(s) for s in season_admin.visible(g.user)])


@endpoint(bp, "/admin/seasons", "POST", body=SeasonCreateIn, response=SeasonAdminOut, tag="admin",
          summary="新建赛季（市级管理员）：日期须按组织发动→申报→评审→公布排列", errors=(400, 401, 403))
def create_season(payload: SeasonCreateIn):
    return _out(season_admin.create(g.user, payload.model_dump(exclude_none=True))), 201


@endpoint(bp, "/admin/seasons/<int:season_id>", "PATCH", body=SeasonPatchIn, response=SeasonAdminOut, tag="admin",
          summary="修改赛季（市级管理员）：改日期后提醒重新安排", errors=(400, 401, 403, 404))
def patch_season(season_id: int, payload: SeasonPatchIn):
    season = season_admin.get_managed(g.user, season_id)
    return _out(season_admin.update(g.user, season, payload.model_dump(exclude_none=True)))
