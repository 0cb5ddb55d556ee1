"""Request and response schemas of the API; the OpenAPI document is generated from them."""
from __future__ import annotations

from datetime import date, datetime, timezone

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _as_utc(value: datetime) -> datetime:
    """Times are stored as naive UTC; the document promises RFC 3339 date-times, which carry
    their offset, so they go out marked UTC ("…Z")."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


# Bounds of an id or page number sent by a client: a database key is an INTEGER column; a larger
# number is refused with the field's name instead of reaching the driver (an overflow on SQLite).
ID = dict(ge=1, le=2 ** 31 - 1)


class StrictIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginIn(StrictIn):
    code: str = Field(min_length=1, max_length=128, description="wx.login() 得到的临时登录凭证 code")


class WebLoginIn(StrictIn):
    scene: str = Field(min_length=1, max_length=32, description="电脑端登录页小程序码的 scene（wl 开头，30 个字符）")


class PhoneIn(StrictIn):
    code: str = Field(min_length=1, max_length=128, description="getPhoneNumber 按钮返回的 code")


class RoleOut(BaseModel):
    role: str
    org_id: int
    org_name: str


class UserOut(BaseModel):
    id: int
    name: str | None
    roles: list[RoleOut]


class MeOut(UserOut):
    phone: str | None
    phone_bound: bool


class LoginOut(BaseModel):
    token: str
    expires_at: UtcDateTime
    user: UserOut


class OkOut(BaseModel):
    ok: bool = True


class OrgOut(BaseModel):
    id: int
    name: str
    kind: str
    unit_type: str | None
    system: str | None
    employee_count: int | None
    parent_id: int | None


class OrgTreeOut(OrgOut):
    children: list[OrgOut]


class ManagedOrgsOut(BaseModel):
    orgs: list[OrgOut]


class SeasonOut(BaseModel):
    id: int
    name: str
    phase: str | None = Field(description="organise | submit | review | publish，不在任何阶段时为 null")
    submission_open: bool
    submit_start: date
    submit_end: date
    achievement_from: str
    achievement_to: str
    categories: list[dict]
    industries: list[str]


class ErrorBody(BaseModel):
    code: str
    message: str = Field(description="给人看的中文说明")
    field: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


# -- dialogue ---------------------------------------------------------------------------------
class MessageIn(StrictIn):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)
    text: str = Field(max_length=10000, description="用户发来的文字（任何内容都会得到中文答复）")


class ReplyOut(BaseModel):
    text: str
    options: list[str] = Field(default_factory=list, description="可点选的按钮文字")


class ProgressOut(BaseModel):
    current: int
    total: int


class DialogueState(BaseModel):
    flow: str = Field(description="流程（message_templates/zh_CN/flows.yaml）：entry（本人申报）、entry_proxy（为农户申报）、farmer_registration（登记农户）")
    step: str | None = Field(description="正在询问的字段名、confirm，空闲时为 null")
    done: bool
    progress: ProgressOut | None = None


class DialogueOut(BaseModel):
    replies: list[ReplyOut]
    state: DialogueState
    entry_id: int | None


# -- entries ----------------------------------------------------------------------------------
class UnitRef(BaseModel):
    id: int
    name: str


class PatentOut(BaseModel):
    granted: bool | None
    number: str | None
    announced_on: date | None


class BenefitOut(BaseModel):
    kind: str | None
    amount: float | None = Field(description="万元/年")
    description: str | None


class LeaderOut(BaseModel):
    name: str | None = None
    occupation: str | None = Field(default=None, description="employee | teacher | student | farmer（决定附件4问哪些项）")
    gender: str | None = None
    birth_month: str | None = None
    phone: str | None = None
    work_start: str | None = None
    political_status: str | None = None
    professional_title: str | None = None
    skill_level: str | None = None
    education: str | None = None
    highest_honor: str | None = None
    bio: str | None = None
    deeds: str | None = None
    photo: int | None = Field(default=None, description="照片附件编号")


class AttachmentOut(BaseModel):
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    width: int | None
    height: int | None


class ApplicantOut(BaseModel):
    name: str
    phone: str | None
    village: str | None
    consent_at: UtcDateTime | None


class EntryOut(BaseModel):
    id: int
    season_id: int
    status: str
    status_label: str
    category: str | None
    industry: str | None
    title: str | None
    unit: UnitRef | None
    unit_source: str | None = Field(default=None, description=(
        "完成单位是怎样选定的：role = 取自填报人本人的角色/所在单位（e站工作人员为其e站），"
        "named = 填报人自行指定（需由该单位确认）；未填单位时为 null"))
    started_on: str | None
    completed_on: str | None
    applied_on: str | None = Field(default=None, description="项目成果应用时间 YYYY-MM")
    in_production: bool | None = Field(default=None, description="是否用于生产实际")
    funded_project: bool | None
    patent: PatentOut
    summary: str | None
    benefit: BenefitOut
    leader: LeaderOut
    attachments: list[AttachmentOut]
    filled_by: str | None
    responsible_person: str | None
    award: str | None
    agent_id: int | None
    applicant: ApplicantOut | None
    missing: list[str] = Field(description="提交前还需填写的字段")
    created_at: UtcDateTime
    submitted_at: UtcDateTime | None


class EntryListOut(BaseModel):
    entries: list[EntryOut]


class EntryPatchIn(BaseModel):
    """Canonical fields, flat ("patent.granted") or nested ({"patent": {"granted": true}}).
    Values may be typed (true, 12.5) or written as people type them ("是", "12万元")."""
    model_config = ConfigDict(extra="allow")


class AttachmentCreatedOut(AttachmentOut):
    hint: str | None = None
