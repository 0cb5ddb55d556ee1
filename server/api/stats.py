"""Statistics (issue 18): 附件6 tables, the funnel and participation against targets for a
subtree and season, and 附件6 as an .xlsx laid out like the official form."""
from __future__ import annotations

from flask import Response, g, request
from pydantic import BaseModel, Field

from ..services import stats, stats_export
from ..services.auth import authenticate
from ..services.seasons import current_season
from ..errors import NotFound
from . import bp
from .endpoint import endpoint, read_query


class StatsQuery(BaseModel):
    season: int | None = Field(default=None, ge=1, le=2 ** 31 - 1, description="赛季编号；不填为当前赛季")


class GroupOut(BaseModel):
    units: int
    units_taking_part: int
    unit_rate: float | None = Field(description="参与率（0–1）；没有登记单位时为空")
    employees: int
    people_taking_part: int
    people_rate: float | None
    model_key_units: int
    model_key_taking_part: int
    benefit_wan_yuan: float = Field(description="创造经济效益（万元）")
    entries: int
    patented: int
    applied: int
    skill_promotions: int = Field(description="技能等级晋升（人）：经确认的逐人登记，没有登记的单位按月报合计")
    denominator_entered: bool = Field(description="参与率的分母是否用了县（区）填报的统计基数（见 definitions.denominators）")


class Table1Out(BaseModel):
    all_units: GroupOut
    enterprises: GroupOut
    state_owned: GroupOut
    non_public: GroupOut
    public_institution: GroupOut


class Table2Out(BaseModel):
    youth_league: GroupOut
    science_association: GroupOut
    womens_federation: GroupOut


class StageOut(BaseModel):
    stage: str
    label: str
    count: int


class TargetRowOut(BaseModel):
    area_id: int
    area: str
    unit_type: str
    unit_type_label: str
    units: int
    taking_part: int
    rate: float | None
    target: float
    gap: float | None = Field(description="目标 − 参与率；正数表示还差多少")


class PromotionRowOut(BaseModel):
    area_id: int | None = Field(description="县（区）或产业工会；合计行为空")
    area: str
    promotions: int = Field(description="技能等级晋升（人）= confirmed + from_reports；优秀组织奖第8项按此计分")
    confirmed: int = Field(description="有逐人登记的单位：经单位确认的登记人数")
    from_reports: int = Field(description="没有逐人登记的单位：已报月报中的晋升人数合计")
    pending: int = Field(description="已登记、单位尚未确认的人数（不计入）")


class RefOut(BaseModel):
    id: int
    name: str


class StatsOut(BaseModel):
    org: RefOut
    season: RefOut
    table1: Table1Out
    table2: Table2Out
    funnel: list[StageOut]
    participation: list[TargetRowOut]
    promotions: list[PromotionRowOut] = Field(description="技能等级晋升，按县（区）/产业工会，最后一行为合计")
    definitions: dict[str, str] = Field(description="每个数字的统计口径")


def _season_id(q: StatsQuery) -> int:
    if q.season:
        return q.season
    season = current_season()
    if season is None:
        raise NotFound("errors.season_not_found", code="season_not_found", season_id="")
    return season.id


@endpoint(bp, "/stats/<int:org_id>", "GET", response=StatsOut, tag="stats",
          summary="附件6 统计表、各阶段数量、参与率与目标（管理范围内；?season=）", errors=(400, 401, 403, 404),
          query=StatsQuery)
def get_stats(org_id: int, query: StatsQuery):
    season_id = _season_id(query)
    data = stats.annex6(g.user, org_id, season_id, with_overview=True)
    return StatsOut(org=RefOut(id=data["org"].id, name=data["org"].name),
                    season=RefOut(id=data["season"].id, name=data["season"].name),
                    table1=data["table1"], table2=data["table2"], funnel=data["funnel"],
                    participation=data["participation"], promotions=data["promotions"],
                    definitions=data["definitions"])


def annex6_download(org_id: int):
    """The .xlsx (not JSON, so outside the endpoint decorator; same login and checks)."""
    user = authenticate(request.headers.get("Authorization"))
    season_id = _season_id(read_query(StatsQuery))
    body = stats_export.annex6_xlsx(user, org_id, season_id)
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=annex6-{org_id}-{season_id}.xlsx"})


bp.add_url_rule("/stats/<int:org_id>/annex6.xlsx", endpoint="annex6_download", view_func=annex6_download)
