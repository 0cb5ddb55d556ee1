"""Units' monthly reports (月报) for the mini-program and scripts: file one, list a subtree's,
and see which units have not filed (the level above chases them)."""
from __future__ import annotations

from datetime import datetime

from flask import g, request
from pydantic import BaseModel, Field, StrictInt

from ..models import UnitReport
from ..errors import ValidationError
from ..services import report_summaries, reports
from . import bp
from .endpoint import endpoint
from .schemas import ID

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class ReportIn(BaseModel):
    """Figures may be typed numbers or written as people write them ("120人", "三次", "没有")."""
    org_id: int = Field(**ID, description="基层单位编号")
    period: str = Field(description="月份 YYYY-MM（或“2026年10月”）")
    activities: StrictInt | str | None = Field(default=None, description="开展活动（次）")
    participants: StrictInt | str | None = Field(default=None, description="参与人数（人），不超过职工总数")
    entries: StrictInt | str | None = Field(default=None, description="征集成果（项）")
    promotions: StrictInt | str | None = Field(default=None, description="技能等级晋升（人）")
    problems: str | None = Field(default=None, max_length=500, description="存在问题（可不填）")


class ReportOut(BaseModel):
    id: int
    org_id: int
    org_name: str
    period: str
    activities: int
    participants: int
    entries: int
    promotions: int
    problems: str | None
    filed_at: datetime


class ReportListOut(BaseModel):
    reports: list[ReportOut]


class ReportListQuery(BaseModel):
    org_id: int = Field(**ID, description="组织编号（本单位或管理范围内的上级）")
    from_: str = Field(alias="from", pattern=MONTH, description="起始月份 YYYY-MM，如 2026-01")
    to: str = Field(pattern=MONTH, description="截止月份 YYYY-MM，如 2026-12")


class MissingQuery(BaseModel):
    org_id: int = Field(**ID, description="组织编号（管理范围内的上级）")
    month: str = Field(pattern=MONTH, description="月份 YYYY-MM，如 2026-10")


class UnitRefOut(BaseModel):
    id: int
    name: str


class MissingOut(BaseModel):
    month: str
    units: list[UnitRefOut]


def report_out(r: UnitReport) -> ReportOut:
    return ReportOut(id=r.id, org_id=r.org_id, org_name=r.org.name, period=r.period, activities=r.activities,
                     participants=r.participants, entries=r.entries, promotions=r.promotions,
                     problems=r.problems, filed_at=r.filed_at)


@endpoint(bp, "/reports", "POST", body=ReportIn, response=ReportOut, tag="reports",
          summary="填报单位月报（本单位管理员；同一单位同一月份只报一次）", errors=(400, 401, 403, 404, 409))
def file_report(payload: ReportIn):
    values = payload.model_dump(exclude={"org_id"})
    return report_out(reports.file_whole(g.user, payload.org_id, values)), 201


@endpoint(bp, "/reports", "GET", response=ReportListOut, tag="reports",
          summary="管理范围内各单位已报的月报（?org_id=&from=YYYY-MM&to=YYYY-MM）", errors=(400, 401, 403, 404), query=ReportListQuery)
def list_reports(query: ReportListQuery):
    found = reports.reports_for(g.user, query.org_id, query.from_, query.to)
    return ReportListOut(reports=[report_out(r) for r in found])


@endpoint(bp, "/reports/missing", "GET", response=MissingOut, tag="reports",
          summary="某月还没有报月报的单位（?org_id=&month=YYYY-MM）", errors=(400, 401, 403, 404), query=MissingQuery)
def missing_reports(query: MissingQuery):
    return MissingOut(month=query.month, units=[UnitRefOut(id=o.id, name=o.name)
                                                for o in reports.missing(g.user, query.org_id, query.month)])


class SummaryOut(BaseModel):
    id: int
    org_id: int
    org_name: str
    kind: str
    period: str
    period_label: str
    summary: str
    attachment_url: str
    filed_at: datetime


class SummaryListOut(BaseModel):
    summaries: list[SummaryOut]


class OrgQuery(BaseModel):
    org_id: int = Field(**ID, description="组织编号（本单位或管理范围内的上级）")


def summary_out(r: UnitReport) -> SummaryOut:
    return SummaryOut(id=r.id, org_id=r.org_id, org_name=r.org.name, kind=r.kind, period=r.period,
                      period_label=report_summaries.label(r.kind, r.period), summary=r.summary,
                      attachment_url=f"/api/v1/reports/summaries/{r.id}/attachment", filed_at=r.filed_at)


@endpoint(bp, "/reports/summaries", "POST", response=SummaryOut, tag="reports", success=201,
          summary="提交半年或全年总结（multipart：org_id, kind=half_year|year, period, summary, file）",
          errors=(400, 401, 403, 404, 409, 413),
          multipart={"org_id": "基层单位编号", "kind": "half_year | year", "period": "2026-H1 / 2026",
                     "summary": "总结正文", "file": "盖章的总结（pdf 或图片）"})
def file_summary(payload=None):
    if request.mimetype != "multipart/form-data":
        raise ValidationError("reports.summary.errors.file", code="file_missing", field="file")
    form = request.form
    raw_org = form.get("org_id", "")
    org_id = int(raw_org) if raw_org.isdigit() and len(raw_org) < 11 else 0
    upload = request.files.get("file")
    content = (upload.read(), upload.filename or "summary") if upload is not None else None
    values = {k: form.get(k) for k in ("kind", "period", "summary")}
    return summary_out(report_summaries.file_summary(g.user, org_id, values, content)), 201


@endpoint(bp, "/reports/summaries", "GET", response=SummaryListOut, tag="reports",
          summary="管理范围内各单位的半年和全年总结（?org_id=）", errors=(400, 401, 403, 404), query=OrgQuery)
def list_summaries(query: OrgQuery):
    return SummaryListOut(summaries=[summary_out(r) for r in report_summaries.summaries_for(g.user, query.org_id)])


@endpoint(bp, "/reports/summaries/<int:report_id>/attachment", "GET", tag="reports", errors=(401, 404),
          summary="下载总结的附件")
def summary_attachment(report_id: int):
    from flask import send_file
    path, content_type, filename = report_summaries.attachment_of(g.user, report_id)
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=filename)
