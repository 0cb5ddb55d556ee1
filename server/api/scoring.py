"""Expert scoring and results (issue 16): an expert's assignments and score sheets; the city
office's expert pool, panels, ranking, award decisions and the one release per season."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, g, request
from pydantic import BaseModel, Field

from ..errors import ValidationError
from ..services import experts, panels, result_exports, results, scoring
from ..services.seasons import get_season
from . import bp
from .endpoint import endpoint
from .schemas import StrictIn


class CriterionIn(StrictIn):
    band: str = Field(description="档次代码（见 assignments 中每项成果的 bands）")
    points: float = Field(description="该档次范围内的整数分")


class ScoreIn(StrictIn):
    criteria: dict[str, CriterionIn] = Field(description="innovation, technology, benefit, effect 各一项")
    comment: str | None = Field(default=None, max_length=2000)


class ScoreOut(BaseModel):
    entry_id: int
    total: int
    revision: int
    criteria: dict[str, Any]
    comment: str | None
    entry_status: str


class AssignmentsOut(BaseModel):
    entries: list[dict[str, Any]]


class SheetsOut(BaseModel):
    mine: dict[str, Any] | None = None
    others: list[dict[str, Any]] | None = None
    sheets: list[dict[str, Any]] | None = None


class ConflictIn(StrictIn):
    entry_id: int | None = None
    org_id: int | None = None
    reason: str = Field(min_length=1, max_length=500)


class OkDetailOut(BaseModel):
    ok: bool = True
    detail: dict[str, Any] = Field(default_factory=dict)


@endpoint(bp, "/expert/assignments", "GET", response=AssignmentsOut, tag="scoring",
          summary="分配给我评审的成果（匿名评审时不显示带头人和单位）", errors=(401, 403))
def expert_assignments():
    return AssignmentsOut(entries=scoring.assignments(g.user))


@endpoint(bp, "/entries/<int:entry_id>/score", "PUT", body=ScoreIn, response=ScoreOut, tag="scoring",
          summary="提交或修改我对一项成果的评分（评审阶段内，结果发布前）", errors=(400, 401, 403, 404, 409))
def put_score(entry_id: int, payload: ScoreIn):
    criteria = {k: {"band": v.band, "points": v.points} for k, v in payload.criteria.items()}
    score = scoring.submit(g.user, entry_id, criteria, payload.comment)
    entry = scoring.get_entry(entry_id)
    return ScoreOut(entry_id=entry_id, total=score.total, revision=score.revision, criteria=score.criteria,
                    comment=score.comment, entry_status=entry.status)


@endpoint(bp, "/entries/<int:entry_id>/scores", "GET", response=SheetsOut, tag="scoring",
          summary="评审组的评分（专家须先提交自己的评分）", errors=(401, 403, 404))
def get_scores(entry_id: int):
    return SheetsOut(**scoring.sheets(g.user, entry_id))


@endpoint(bp, "/expert/conflicts", "POST", body=ConflictIn, response=OkDetailOut, tag="scoring",
          summary="专家申报与某项成果或某单位的利益冲突", errors=(400, 401, 403, 404))
def declare_own_conflict(payload: ConflictIn):
    expert = scoring.require_expert(g.user)
    row = panels.declare_conflict(g.user, expert, entry_id=payload.entry_id, org_id=payload.org_id,
                                   reason=payload.reason)
    return OkDetailOut(detail={"conflict_id": row.id}), 201


# -- the city office -------------------------------------------------------------------------
class ExpertIn(StrictIn):
    user_id: int
    unit_id: int | None = None
    categories: list[str] = Field(default_factory=list, max_length=10)
    industries: list[str] = Field(default_factory=list, max_length=50)


class ExpertsOut(BaseModel):
    experts: list[dict[str, Any]]


def _expert_out(e) -> dict:
    return {"id": e.id, "user_id": e.user_id, "name": e.user.name, "unit_id": e.unit_id,
            "unit": e.unit.name if e.unit else None, "categories": e.categories, "industries": e.industries,
            "active": e.active}


@endpoint(bp, "/admin/experts", "GET", response=ExpertsOut, tag="scoring-admin",
          summary="专家库（市级管理员）", errors=(401, 403))
def list_experts():
    return ExpertsOut(experts=[_expert_out(e) for e in experts.list_experts(g.user)])


@endpoint(bp, "/admin/experts", "POST", body=ExpertIn, response=ExpertsOut, tag="scoring-admin",
          summary="把用户加入专家库（类别、行业、本人单位）", errors=(400, 401, 403, 404, 409))
def add_expert(payload: ExpertIn):
    e = experts.add_expert(g.user, payload.user_id, payload.unit_id, payload.categories, payload.industries)
    return ExpertsOut(experts=[_expert_out(e)]), 201


@endpoint(bp, "/admin/experts/<int:expert_id>/conflicts", "POST", body=ConflictIn, response=OkDetailOut,
          tag="scoring-admin", summary="办公室登记专家的利益冲突", errors=(400, 401, 403, 404))
def declare_conflict(expert_id: int, payload: ConflictIn):
    row = panels.declare_conflict(g.user, experts.get_expert(expert_id), entry_id=payload.entry_id,
                                   org_id=payload.org_id, reason=payload.reason)
    return OkDetailOut(detail={"conflict_id": row.id}), 201


@endpoint(bp, "/admin/experts/<int:expert_id>/drop", "POST", response=OkDetailOut, tag="scoring-admin",
          summary="专家退出：移出全部未发布的评审组并补派", errors=(401, 403, 404))
def drop_expert(expert_id: int):
    return OkDetailOut(detail=panels.drop_out(g.user, experts.get_expert(expert_id)))


class AssignIn(StrictIn):
    k: int | None = Field(default=None, ge=1, le=panels.MAX_K, description="每项成果的专家人数（默认赛季设置，3）")


@endpoint(bp, "/admin/seasons/<int:season_id>/panels", "POST", body=AssignIn, response=OkDetailOut, tag="scoring-admin",
          summary="自动分配评审组（类别行业匹配、负载均衡、无利益冲突）", errors=(400, 401, 403, 404, 409))
def assign_panels(season_id: int, payload: AssignIn):
    return OkDetailOut(detail=panels.assign(g.user, get_season(season_id), payload.k))


@endpoint(bp, "/admin/seasons/<int:season_id>/loads", "GET", response=OkDetailOut, tag="scoring-admin",
          summary="每位专家的评审数量和已评数量", errors=(401, 403, 404))
def expert_loads(season_id: int):
    return OkDetailOut(detail={"experts": panels.loads(g.user, get_season(season_id))})


class PanelIn(StrictIn):
    add: list[int] = Field(default_factory=list, max_length=20)
    remove: list[int] = Field(default_factory=list, max_length=20)


@endpoint(bp, "/admin/entries/<int:entry_id>/panel", "POST", body=PanelIn, response=OkDetailOut, tag="scoring-admin",
          summary="手工调整一项成果的评审组", errors=(400, 401, 403, 404, 409))
def adjust_panel(entry_id: int, payload: PanelIn):
    seats = panels.adjust(g.user, scoring.get_entry(entry_id), payload.add, payload.remove)
    return OkDetailOut(detail={"experts": [s.expert_id for s in seats]})


@endpoint(bp, "/admin/seasons/<int:season_id>/ranking", "GET", response=OkDetailOut, tag="scoring-admin",
          summary="汇总分、分差、分歧标记、分类和总排名、等级", errors=(401, 403, 404))
def season_ranking(season_id: int):
    return OkDetailOut(detail=results.season_ranking(g.user, get_season(season_id)))


class AwardIn(StrictIn):
    award: str | None = Field(description="special（特等奖）、excellent（优秀奖），或 null 撤销办公室的决定（回到按评分等级的奖项）")
    reason: str = Field(min_length=1, max_length=1000)


@endpoint(bp, "/admin/entries/<int:entry_id>/award", "POST", body=AwardIn, response=OkDetailOut, tag="scoring-admin",
          summary="办公室决定特等奖或优秀奖，或撤销决定回到评分等级（须写明理由）；detail.award 为此后的拟授奖项", errors=(400, 401, 403, 404, 409))
def decide_award(entry_id: int, payload: AwardIn):
    d = results.decide(g.user, entry_id, payload.award, payload.reason)
    entry = scoring.get_entry(entry_id)
    return OkDetailOut(detail={"entry_id": entry_id, "award": results.proposed_award(entry.season, entry_id),
                         "decision": {"award": d.award, "reason": d.reason} if d is not None else None,
                         "reason": payload.reason.strip()})


@endpoint(bp, "/admin/seasons/<int:season_id>/release", "POST", response=OkDetailOut, tag="scoring-admin",
          summary="一次发布本赛季全部评审结果（不可重复）", errors=(401, 403, 404, 409))
def release_results(season_id: int):
    return OkDetailOut(detail=results.release(g.user, get_season(season_id)))


# -- lists the office sends on ---------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(data: bytes, mimetype: str, name: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit():
        raise ValidationError("scoring.errors.top_n", code="top_n", field=name, max=result_exports.MAX_TOP)
    return int(raw)


@endpoint(bp, "/admin/seasons/<int:season_id>/exports/top.xlsx", "GET", tag="scoring-admin",
          summary="推荐省级的前 N 项成果（附件3 数据，.xlsx；查询参数 n，默认 10）", errors=(400, 401, 403, 404))
def export_top(season_id: int):
    season = get_season(season_id)
    data = result_exports.top_entries(g.user, season, _int_arg("n", 10))
    return _file(data, XLSX, f"{season.name}-推荐省级.xlsx")


@endpoint(bp, "/admin/seasons/<int:season_id>/exports/winners.xlsx", "GET", tag="scoring-admin",
          summary="获奖名单（结果发布后）：查询参数 list=leaders 一二三等奖带头人，list=no_patent 获奖未获专利",
          errors=(400, 401, 403, 404, 409))
def export_winners(season_id: int):
    which = request.args.get("list", "leaders")
    if which not in ("leaders", "no_patent"):
        raise ValidationError("scoring.errors.export_list", code="export_list", field="list")
    season = get_season(season_id)
    return _file(result_exports.winners(g.user, season, which), XLSX, f"{season.name}-{which}.xlsx")


@endpoint(bp, "/admin/entries/<int:entry_id>/score-sheet.pdf", "GET", tag="scoring-admin",
          summary="一项成果的评审评分表（PDF，可打印）", errors=(401, 403, 404, 503))
def export_score_sheet(entry_id: int):
    return _file(result_exports.score_sheet_pdf(g.user, entry_id), "application/pdf", f"score-sheet-{entry_id}.pdf")
