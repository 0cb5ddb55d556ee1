"""The reminder plan for the 1–10 September 2021 window (China time = UTC+8)."""
from __future__ import annotations

from datetime import date, datetime

from server.models import Season
from server.services.reminder_plan import plan


def season(**reminders) -> Season:
    return Season(name="2021", year=2021, organise_start=date(2021, 5, 20), organise_end=date(2021, 8, 31),
                  submit_start=date(2021, 9, 1), submit_end=date(2021, 9, 10), review_start=date(2021, 9, 11),
                  review_end=date(2021, 9, 30), publish_start=date(2021, 10, 1), publish_end=date(2021, 12, 31),
                  achievement_from="2019-10", achievement_to="2021-09", reminders=reminders)


def test_default_plan_in_china_time():
    slots = {s.key: s.at for s in plan(season())}
    assert slots == {
        "before_open": datetime(2021, 8, 25, 1, 0),     # 09:00 CST, 7 days before 1 September
        "opening": datetime(2021, 9, 1, 1, 0),
        "middle": datetime(2021, 9, 5, 1, 0),
        "last_days_2": datetime(2021, 9, 8, 10, 0),     # 18:00 CST
        "last_days_1": datetime(2021, 9, 9, 10, 0),
        "last_days_0": datetime(2021, 9, 10, 10, 0),
        "last_morning": datetime(2021, 9, 10, 1, 0),
    }


def test_nothing_is_planned_in_quiet_hours():
    slots = plan(season(evening="22:30", morning="06:00"))
    for slot in slots:
        hour = (slot.at.hour + 8) % 24
        assert 8 <= hour < 21, slot
    by_key = {s.key: s.at for s in slots}
    assert by_key["last_days_0"] == datetime(2021, 9, 11, 0, 0)   # 22:30 → 08:00 the next morning
    assert by_key["opening"] == datetime(2021, 9, 1, 0, 0)        # 06:00 → 08:00 the same morning


def test_a_short_window_has_no_duplicate_slots():
    s = season()
    s.submit_end = date(2021, 9, 2)
    keys = [x.key for x in plan(s)]
    assert len(keys) == len(set(keys)) and "last_morning" in keys
