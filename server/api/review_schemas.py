"""Schemas of the review chain's API (issue 15)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from .schemas import ID, EntryOut, StrictIn

ACTION = Literal["confirm", "recommend", "accept", "return", "not_ours", "not_recommend", "ineligible"]


class QueueQuery(StrictIn):
    season: int | None = Field(None, **ID, description="赛季编号（默认全部）")
    status: str | None = Field(None, description="状态；不填为“等我审核的”")
    category: str | None = Field(None, description="项目类型代码，如 product")
    industry: str | None = Field(None, description="行业代码")
    unit: int | None = Field(None, **ID, description="完成单位编号")
    unconfirmed: bool = Field(False, description="只看单位尚未确认“是本单位”的")
    sort: str = Field("submitted_at", description="submitted_at | title | id | category | industry")
    order: str = Field("asc", description="asc | desc")
    page: int = Field(1, le=ID["le"], description="页码，从 1 开始")
    per_page: int = Field(50, description="每页条数，1 到 200")


class DuplicateOut(BaseModel):
    id: int
    title: str | None
    leader: str | None
    season: str
    status: str


class QueueItemOut(BaseModel):
    id: int
    title: str | None
    status: str
    status_label: str
    category: str | None
    industry: str | None
    unit: dict | None
    leader: str | None
    submitted_at: str | None
    level: str | None = Field(None, description="等待哪一级：unit | county | city")
    unit_confirmed: bool
    unit_source: str | None
    agent_filed: bool
    duplicates: list[DuplicateOut]


class QueueOut(BaseModel):
    total: int
    capped: bool = False       # more than `total` entries match (counting stopped there)
    page: int
    per_page: int
    items: list[QueueItemOut]


class ActionIn(StrictIn):
    action: ACTION
    entry_ids: list[int] = Field(min_length=1, max_length=1000)
    reason: str | None = Field(None, max_length=500, description="退回、不是本单位、不予推荐、不符合条件时必填")
    fields: list[str] | None = Field(None, description="退回时要申报人修改的字段（规范字段名）")
    rule: str | None = Field(None, description="不符合条件时违反的规则（funded_project、achievement_window…）")
    reply_by: date | None = Field(None, description="退回后重新提交的截止日（北京时间），默认 3 天后")


class ActionError(BaseModel):
    code: str
    message: str
    field: str | None = None


class ActionResult(BaseModel):
    entry_id: int
    ok: bool
    status: str | None
    status_label: str | None
    error: ActionError | None


class ActionsOut(BaseModel):
    results: list[ActionResult]


class WithdrawIn(StrictIn):
    reason: str | None = Field(None, max_length=200)


class HistoryItem(BaseModel):
    at: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict | None
    actor: str | None


class ReviewStateOut(BaseModel):
    level: str | None
    unit_confirmed: bool
    returned_level: str | None
    return_reason: str | None
    return_fields: list[dict]
    reply_by: date | None
    deadline: dict


class ReviewEntryOut(BaseModel):
    entry: EntryOut
    review: ReviewStateOut | None
    history: list[HistoryItem]
    duplicates: list[DuplicateOut]


class SheetIn(StrictIn):
    org_id: int
    season_id: int
    level: Literal["unit", "county", "city"] | None = None
    format: Literal["xlsx", "docx", "zip"] = "xlsx"


class ScanForm(StrictIn):
    org_id: int
    season_id: int
    level: Literal["unit", "county", "city"] | None = None


class ScanQuery(StrictIn):
    org_id: int = Field(**ID, description="组织编号")
    season_id: int = Field(**ID, description="赛季编号")


class SheetJobOut(BaseModel):
    job_id: str
    status: str | None = None
    level: str | None = None
    progress: dict | None = None
    ready: bool = False


class MyEntryOut(BaseModel):
    id: int
    title: str | None
    status: str
    status_label: str
    returned: dict | None = Field(None, description="已退回时：哪一级、原因、要修改的字段、截止日")
    deadline: str | None


class MyEntriesOut(BaseModel):
    entries: list[MyEntryOut]
