"""Admin endpoints for notifications: each season's reminder report, and pausing all sending."""
from flask import g
from pydantic import BaseModel

from ..models import Season
from ..services import policy, reminders
from ..services.seasons import get_season
from . import bp
from .endpoint import endpoint


class SlotOut(BaseModel):
    key: str
    send_at: str
    status: str


class ReminderReportOut(BaseModel):
    season: str
    paused: bool
    slots: list[SlotOut]
    deliveries: dict[str, int]


def _season_for_city_admin(season_id: int) -> Season:
    policy.require(g.user, "season.manage_reminders")
    return get_season(season_id)


@endpoint(bp, "/admin/seasons/<int:season_id>/reminders", "GET", response=ReminderReportOut, tag="admin",
          summary="本赛季的提醒：计划、已发送、失败、无法送达（市级管理员）", errors=(401, 403, 404))
def reminder_report(season_id: int):
    return ReminderReportOut(**reminders.status(_season_for_city_admin(season_id)))


def _set_paused(season_id: int, value: bool) -> ReminderReportOut:
    season = _season_for_city_admin(season_id)
    reminders.set_paused(season, value)
    return ReminderReportOut(**reminders.status(season))


@endpoint(bp, "/admin/seasons/<int:season_id>/reminders/pause", "POST", response=ReminderReportOut, tag="admin",
          summary="暂停本赛季的全部提醒发送（市级管理员）", errors=(401, 403, 404))
def pause_reminders(season_id: int):
    return _set_paused(season_id, True)


@endpoint(bp, "/admin/seasons/<int:season_id>/reminders/resume", "POST", response=ReminderReportOut, tag="admin",
          summary="恢复本赛季的提醒发送（市级管理员）", errors=(401, 403, 404))
def resume_reminders(season_id: int):
    return _set_paused(season_id, False)
