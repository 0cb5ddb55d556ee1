"""The organisation awards (issue 18 items 5 and 6): the 优秀组织奖 sheet of a county, industry
union or unit (evidence up, scores and the decision from the city office) and 优胜单位
applications (附件5) with the county and city opinions, and the form as .xlsx."""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from flask import Response, g, request, send_file
from pydantic import BaseModel, Field, StrictInt

from ..errors import NotFound, ValidationError
from ..services.awards import annex5, org_sheet, winners
from ..services.seasons import current_season
from . import bp
from .endpoint import endpoint
from .schemas import ID, StrictIn, UtcDateTime



def _season(season_id: int | None) -> int:
    if season_id is not None:
        return season_id
    season = current_season()
    if season is None:
        raise NotFound("errors.season_not_found", code="season_not_found", season_id="")
    return season.id


class SeasonQuery(BaseModel):
    season: int | None = Field(default=None, **ID, description="赛季编号；不填为当前赛季")


class OrgSeasonQuery(SeasonQuery):
    org_id: int = Field(**ID, description="组织编号")


class EvidenceOut(BaseModel):
    id: int
    filename: str
    size: int
    content_type: str


class SheetItemOut(BaseModel):
    no: int = Field(description="考核项目序号 1–10")
    label: str
    max: int = Field(description="最高分")
    source: str = Field(description="computed（按数据计算）| evidence（佐证材料，市级评分）")
    score: Decimal | None
    figure: str | None = Field(description="按数据计算项：读取的数据；第 1 项：组织机构库的登记（仅供参考）")
    rule: str | None = Field(description="按数据计算项：计分规则与算式")
    note: str | None
    comment: str | None
    evidence: list[EvidenceOut]


class SheetOut(BaseModel):
    org_id: int
    org_name: str
    season_id: int
    status: str
    status_label: str
    items: list[SheetItemOut]
    computed_total: Decimal
    evidence_total: Decimal
    total: Decimal
    max: int
    unscored: list[int] = Field(description="还没有评分的佐证项")
    reason: str | None
    submitted_at: UtcDateTime | None
    decided_at: UtcDateTime | None


class SheetRowOut(BaseModel):
    org_id: int
    org_name: str
    status: str
    status_label: str
    total: Decimal | None


class SheetListOut(BaseModel):
    sheets: list[SheetRowOut]


class OrgAwardSeasonIn(StrictIn):
    season_id: int | None = Field(default=None, **ID, description="赛季编号；不填为当前赛季")


class OrgAwardScoreIn(OrgAwardSeasonIn):
    score: Decimal | StrictInt | str = Field(description="分数：0 到该项最高分，最多一位小数")
    comment: str | None = Field(default=None, max_length=1000, description="评分说明")


class OrgAwardDecisionIn(OrgAwardSeasonIn):
    decision: str = Field(description="award（获奖）| not_award（不获奖）")
    reason: str = Field(default="", max_length=500, description="评定理由（必填）")


def sheet_out(org_id: int, season_id: int) -> SheetOut:
    d = org_sheet.view(g.user, org_id, season_id)
    return SheetOut(org_id=d["org"].id, org_name=d["org"].name, season_id=d["season"].id, status=d["status"],
                    status_label=d["status_label"], computed_total=d["computed_total"],
                    evidence_total=d["evidence_total"], total=d["total"], max=d["max"], unscored=d["unscored"],
                    reason=d["reason"], submitted_at=d["submitted_at"], decided_at=d["decided_at"],
                    items=[SheetItemOut(**{k: i[k] for k in SheetItemOut.model_fields if k != "evidence"},
                                        evidence=[EvidenceOut(**e) for e in i["evidence"]]) for i in d["items"]])


@endpoint(bp, "/org-awards", "GET", response=SheetListOut, tag="awards", errors=(400, 401, 403, 404),
          summary="优秀组织奖：管理范围内的考核表（?org_id=&season=）", query=OrgSeasonQuery)
def list_org_awards(query: OrgSeasonQuery):
    rows = org_sheet.sheets(g.user, query.org_id, _season(query.season))
    return SheetListOut(sheets=[SheetRowOut(org_id=r["org"].id, org_name=r["org"].name, status=r["status"],
                                            status_label=r["status_label"], total=r["total"]) for r in rows])


@endpoint(bp, "/org-awards/<int:org_id>", "GET", response=SheetOut, tag="awards", errors=(400, 401, 403, 404),
          summary="优秀组织奖考核表：10 项、百分制；数据项附计算依据，佐证项附材料和市级评分（?season=）",
          query=SeasonQuery)
def get_org_award(org_id: int, query: SeasonQuery):
    return sheet_out(org_id, _season(query.season))


@endpoint(bp, "/org-awards/<int:org_id>/items/<int:item_no>/evidence", "POST", response=SheetOut, tag="awards",
          errors=(400, 401, 403, 404, 409, 413), success=201,
          summary="上传佐证材料（multipart：file 为 PDF 或图片，note 为说明，season_id；二者至少一项）",
          multipart={"file": "佐证文件（PDF 或图片）", "note": "说明文字", "season_id": "赛季编号（可省略）"})
def add_org_award_evidence(org_id: int, item_no: int, payload=None):
    if request.mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise ValidationError("awards.errors.nothing_sent", code="nothing_sent", field="file")
    raw_season = request.form.get("season_id", "")
    if raw_season and not (raw_season.isdigit() and len(raw_season) <= 9):
        raise NotFound("awards.errors.season", code="season_not_found", field="season_id", value=raw_season[:20])
    upload = request.files.get("file")
    season_id = _season(int(raw_season) if raw_season else None)
    org_sheet.add_evidence(g.user, org_id, season_id, item_no, upload.read() if upload else None,
                           upload.filename if upload else None, request.form.get("note"))
    return sheet_out(org_id, season_id), 201


@endpoint(bp, "/org-awards/<int:org_id>/submit", "POST", body=OrgAwardSeasonIn, response=SheetOut, tag="awards",
          errors=(400, 401, 403, 404, 409), summary="报送考核表，交市级评分（报送后不能再上传材料）")
def submit_org_award(org_id: int, payload: OrgAwardSeasonIn):
    season_id = _season(payload.season_id)
    org_sheet.submit(g.user, org_id, season_id)
    return sheet_out(org_id, season_id)


@endpoint(bp, "/org-awards/<int:org_id>/items/<int:item_no>/score", "POST", body=OrgAwardScoreIn, response=SheetOut,
          tag="awards", errors=(400, 401, 403, 404, 409), summary="市级为佐证项评分（0 到该项最高分）")
def score_org_award(org_id: int, item_no: int, payload: OrgAwardScoreIn):
    season_id = _season(payload.season_id)
    org_sheet.score(g.user, org_id, season_id, item_no, payload.score, payload.comment)
    return sheet_out(org_id, season_id)


@endpoint(bp, "/org-awards/<int:org_id>/decision", "POST", body=OrgAwardDecisionIn, response=SheetOut, tag="awards",
          errors=(400, 401, 403, 404, 409), summary="市级评定优秀组织奖（须写明理由；各佐证项都评分后）")
def decide_org_award(org_id: int, payload: OrgAwardDecisionIn):
    season_id = _season(payload.season_id)
    org_sheet.decide(g.user, org_id, season_id, payload.decision, payload.reason)
    return sheet_out(org_id, season_id)


@endpoint(bp, "/org-awards/evidence/<int:evidence_id>/remove", "POST", response=SheetOut, tag="awards",
          errors=(401, 403, 404, 409),
          summary="移除佐证材料（上传的人或县级管理员；市级评分该项之前）")
def remove_org_award_evidence(evidence_id: int):
    sheet = org_sheet.remove_evidence(g.user, evidence_id)
    return sheet_out(sheet.org_id, sheet.season_id)


@endpoint(bp, "/org-awards/evidence/<int:evidence_id>", "GET", tag="awards", errors=(401, 404),
          summary="下载佐证材料（能查看该考核表的人才能下载）")
def org_award_evidence_file(evidence_id: int):
    path, content_type, filename = org_sheet.evidence_file(g.user, evidence_id)
    return send_file(path, mimetype=content_type, download_name=filename)


# -- 优胜单位 (附件5) ------------------------------------------------------------------------
class ApplicationIn(StrictIn):
    season_id: int | None = Field(default=None, **ID, description="赛季编号；不填为当前赛季")
    org_id: int = Field(**ID, description="申报的基层单位编号（自己管理的单位）")
    legal_rep: str | None = Field(default=None, description="法人代表")
    nature: str | None = Field(default=None, description="单位性质")
    phone: str | None = Field(default=None, description="联系电话")
    employees: StrictInt | str | None = Field(default=None, description="职工总数")
    participants: StrictInt | str | None = Field(default=None, description="参与职工人数（职工参与率 = 参与职工 ÷ 职工总数）")
    summary: str | None = Field(default=None, description="“五小”竞赛开展情况简介")
    applicant_opinion: str | None = Field(default=None, description="申报单位意见")
    filled_by: str | None = Field(default=None, description="填报人")
    responsible: str | None = Field(default=None, description="负责人")


class OpinionIn(StrictIn):
    level: str = Field(description="county（县级/产业）| city（市级）")
    decision: str = Field(description="approve（同意）| refuse（不同意）")
    comment: str | None = Field(default=None, description="意见说明；不同意时必填")


class OpinionOut(BaseModel):
    level: str
    level_label: str
    decision: str
    decision_label: str
    by: str
    at: UtcDateTime
    comment: str | None


class ApplicationOut(BaseModel):
    id: int
    season_id: int
    org_id: int
    org_name: str
    status: str
    status_label: str
    legal_rep: str
    nature: str
    phone: str
    employees: int
    participants: int
    participation_rate: float = Field(description="职工参与率（0–1）")
    summary: str
    applicant_opinion: str
    filled_by: str | None
    responsible: str | None
    filed_at: UtcDateTime
    opinions: list[OpinionOut]


class ApplicationListOut(BaseModel):
    applications: list[ApplicationOut]


def application_out(app) -> ApplicationOut:
    from ..texts import t
    return ApplicationOut(id=app.id, season_id=app.season_id, org_id=app.org_id, org_name=app.org.name,
                          status=app.status, status_label=t(f"awards.statuses.{app.status}"),
                          legal_rep=app.legal_rep, nature=app.nature, phone=app.phone, employees=app.employees,
                          participants=app.participants, participation_rate=winners.rate(app), summary=app.summary,
                          applicant_opinion=app.applicant_opinion, filled_by=app.filled_by,
                          responsible=app.responsible, filed_at=app.filed_at,
                          opinions=[OpinionOut(**{k: o[k] for k in OpinionOut.model_fields})
                                    for o in winners.opinions(app)])


@endpoint(bp, "/winner-applications", "POST", body=ApplicationIn, response=ApplicationOut, tag="awards",
          errors=(400, 401, 403, 404, 409), success=201,
          summary="基层单位申报优胜单位（附件5；每个单位每赛季一份；填写有误时整份不保存，problems 中逐项说明）")
def file_application(payload: ApplicationIn):
    values = payload.model_dump(exclude={"season_id", "org_id"})
    app = winners.file(g.user, _season(payload.season_id), payload.org_id, values)
    return application_out(app), 201


@endpoint(bp, "/winner-applications", "GET", response=ApplicationListOut, tag="awards", errors=(400, 401, 403, 404),
          summary="管理范围内的优胜单位申报（?org_id=&season=）", query=OrgSeasonQuery)
def list_applications(query: OrgSeasonQuery):
    return ApplicationListOut(applications=[application_out(a) for a in
                                            winners.list_for(g.user, query.org_id, _season(query.season))])


@endpoint(bp, "/winner-applications/<int:app_id>", "GET", response=ApplicationOut, tag="awards", errors=(401, 404),
          summary="一份优胜单位申报，含各级意见（谁、何时、同意与否、说明）")
def get_application(app_id: int):
    return application_out(winners.get(g.user, app_id))


@endpoint(bp, "/winner-applications/<int:app_id>/opinions", "POST", body=OpinionIn, response=ApplicationOut,
          tag="awards", errors=(400, 401, 403, 404, 409),
          summary="给出意见：先县级（产业），再市级；各一次；不同意须写明理由；市级同意即评为优胜单位")
def give_opinion(app_id: int, payload: OpinionIn):
    return application_out(winners.opinion(g.user, app_id, payload.level, payload.decision, payload.comment))


def _annex5(app_id: int, fmt: str) -> Response:
    build, mimetype = annex5.FORMATS[fmt]
    body = build(g.user, app_id)
    name = annex5.filename(winners.get(g.user, app_id), fmt)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@endpoint(bp, "/winner-applications/<int:app_id>/annex5.xlsx", "GET", tag="awards", errors=(401, 404),
          summary="下载附件5 优胜单位申报表（.xlsx，按原表样式）")
def application_xlsx(app_id: int):
    return _annex5(app_id, "xlsx")


@endpoint(bp, "/winner-applications/<int:app_id>/annex5.docx", "GET", tag="awards", errors=(401, 404),
          summary="下载附件5 优胜单位申报表（.docx，打印盖章用）")
def application_docx(app_id: int):
    return _annex5(app_id, "docx")
