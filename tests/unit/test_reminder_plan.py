"""The reminder plan for the 1–10 September 2021 window (China time = UTC+8)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from server.errors import ValidationError
from server.models import Season
from server.services.reminder_plan import (in_quiet_hours, outside_quiet_hours, plan, review_level, settings,
                                           window_end)
from server.services.review.calendar import deadlines
from server.timeutil import CHINA


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
        # Participants aim at their own last day, 5 September (the review chain's default
        # participants' deadline, which submitting enforces), not the window's 10 September:
        "middle": datetime(2021, 9, 3, 1, 0),
        "last_days_1": datetime(2021, 9, 4, 10, 0),     # 18:00 CST (the 3rd is the middle)
        "last_days_0": datetime(2021, 9, 5, 10, 0),
        "last_morning": datetime(2021, 9, 5, 1, 0),
        # Reviewers, each morning of their level's last three days (deadlines 8, 10 and 30 September):
        "review_unit_2": datetime(2021, 9, 6, 1, 0), "review_unit_1": datetime(2021, 9, 7, 1, 0),
        "review_unit_0": datetime(2021, 9, 8, 1, 0),
        "review_county_2": datetime(2021, 9, 8, 1, 0), "review_county_1": datetime(2021, 9, 9, 1, 0),
        "review_county_0": datetime(2021, 9, 10, 1, 0),
        "review_city_2": datetime(2021, 9, 28, 1, 0), "review_city_1": datetime(2021, 9, 29, 1, 0),
        "review_city_0": datetime(2021, 9, 30, 1, 0),       # the city, in the review phase
    }


@pytest.mark.parametrize("settings_,expected", [
    ({"review.remind_days": 1}, {"review_unit_0", "review_county_0", "review_city_0"}),
    ({"review.remind_days": 5, "review.deadlines": {"participants": "2021-09-02", "unit": "2021-09-03",
                                                    "county": "2021-09-04"}},
     # never before the window opens (1 September)
     {"review_unit_2", "review_unit_1", "review_unit_0", "review_county_3", "review_county_2", "review_county_1",
      "review_county_0", "review_city_4", "review_city_3", "review_city_2", "review_city_1", "review_city_0"}),
    ({"review.remind_days": "x"}, {f"review_{lv}_{n}" for lv in ("unit", "county", "city") for n in range(3)}),
])
def test_review_slots_follow_each_levels_deadline(settings_, expected):
    s = season()
    s.settings = settings_
    assert {x.key for x in plan(s) if x.key.startswith("review_")} == expected


def test_nothing_is_planned_in_quiet_hours():
    slots = plan(season(evening="22:30", morning="06:00"))
    for slot in slots:
        hour = (slot.at.hour + 8) % 24
        assert 8 <= hour < 21, slot
    by_key = {s.key: s.at for s in slots}
    assert by_key["last_days_1"] == datetime(2021, 9, 5, 0, 0)    # 22:30 → 08:00 the next morning
    assert by_key["last_days_0"] == datetime(2021, 9, 5, 12, 59)   # not after their last day: back to 20:59
    assert by_key["opening"] == datetime(2021, 9, 1, 0, 0)        # 06:00 → 08:00 the same morning


def test_a_short_window_has_no_duplicate_slots():
    s = season()
    s.submit_end = date(2021, 9, 2)
    keys = [x.key for x in plan(s)]
    assert len(keys) == len(set(keys)) and "last_morning" in keys


# The tables below are about moving a send out of quiet hours without passing a latest minute;
# they take the window's last minute, 10 September 23:59, as that bound.
LAST_MINUTE = datetime(2021, 9, 10, 23, 59, tzinfo=CHINA)


def china(day: int, clock: str) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return datetime(2021, 9, day, hours, minutes, tzinfo=CHINA)


WINDOWS = [("21:00", "08:00"), ("00:00", "07:00"), ("12:00", "14:00"), ("23:59", "00:00"), ("22:00", "23:59")]

# (quiet_start, quiet_end, send time on 5 September, where it goes) — mid-window, no deadline near
MOVES = [
    ("21:00", "08:00", "20:59", (5, "20:59")), ("21:00", "08:00", "21:00", (6, "08:00")),
    ("21:00", "08:00", "23:30", (6, "08:00")), ("21:00", "08:00", "00:00", (5, "08:00")),
    ("21:00", "08:00", "07:59", (5, "08:00")), ("21:00", "08:00", "08:00", (5, "08:00")),
    ("00:00", "07:00", "09:00", (5, "09:00")), ("00:00", "07:00", "23:59", (5, "23:59")),
    ("00:00", "07:00", "00:00", (5, "07:00")), ("00:00", "07:00", "06:59", (5, "07:00")),
    ("00:00", "07:00", "07:00", (5, "07:00")), ("00:00", "07:00", "18:00", (5, "18:00")),
    ("12:00", "14:00", "11:59", (5, "11:59")), ("12:00", "14:00", "12:00", (5, "14:00")),
    ("12:00", "14:00", "13:30", (5, "14:00")), ("12:00", "14:00", "14:00", (5, "14:00")),
    ("12:00", "14:00", "23:00", (5, "23:00")), ("23:59", "00:00", "23:59", (6, "00:00")),
    ("23:59", "00:00", "00:00", (5, "00:00")), ("23:59", "00:00", "12:00", (5, "12:00")),
    ("22:00", "23:59", "22:30", (5, "23:59")), ("22:00", "23:59", "23:59", (5, "23:59")),
]


@pytest.mark.parametrize("start,end,at,expected", MOVES)
def test_any_quiet_window_moves_a_send_to_its_end(start, end, at, expected):
    cfg = settings(season(quiet_start=start, quiet_end=end))
    assert outside_quiet_hours(china(5, at), cfg, LAST_MINUTE) == china(*expected)


# On the window's last day (10 September): never moved past 23:59 — back before quiet hours instead
LAST_DAY = [
    ("21:00", "08:00", "22:30", (10, "20:59")), ("21:00", "08:00", "06:00", (10, "08:00")),
    ("23:59", "00:00", "23:59", (10, "23:58")), ("00:00", "07:00", "09:00", (10, "09:00")),
    ("00:00", "07:00", "03:00", (10, "07:00")), ("12:00", "14:00", "13:00", (10, "14:00")),
    ("22:00", "23:59", "23:00", (10, "23:59")),
]


@pytest.mark.parametrize("start,end,at,expected", LAST_DAY)
def test_nothing_moves_past_the_end_of_the_submission_window(start, end, at, expected):
    cfg = settings(season(quiet_start=start, quiet_end=end))
    assert outside_quiet_hours(china(10, at), cfg, LAST_MINUTE) == china(*expected)


@pytest.mark.parametrize("start,end", WINDOWS)
def test_every_send_time_lands_outside_quiet_hours_and_inside_the_window(start, end):
    s = season(quiet_start=start, quiet_end=end)
    cfg, latest = settings(s), LAST_MINUTE
    for day in (5, 9, 10):
        for minute in range(0, 24 * 60, 15):
            at = china(day, "00:00") + timedelta(minutes=minute)
            moved = outside_quiet_hours(at, cfg, latest)
            assert not in_quiet_hours(moved, cfg), (at, moved)
            assert at <= moved <= latest or moved < at <= latest, (at, moved)   # forward, or back on the last day


@pytest.mark.parametrize("start,end", WINDOWS)
@pytest.mark.parametrize("morning,evening", [("09:00", "18:00"), ("06:00", "22:30"), ("00:00", "23:59")])
def test_plans_for_every_window_are_outside_quiet_hours_and_before_the_deadline(start, end, morning, evening):
    s = season(quiet_start=start, quiet_end=end, morning=morning, evening=evening)
    last = deadlines(s)
    for slot in plan(s):
        local = slot.at + timedelta(hours=8)          # naive UTC → China wall clock
        assert not in_quiet_hours(local.replace(tzinfo=CHINA), settings(s)), slot
        level = review_level(slot.key)
        end = window_end(s) if level is None else datetime.combine(last[level], time(23, 59), CHINA)
        assert local.replace(tzinfo=CHINA) <= end, slot


@pytest.mark.parametrize("clock", ["00:00", "07:00", "21:00"])
def test_an_empty_quiet_window_is_refused(clock):
    with pytest.raises(ValidationError) as refused:
        plan(season(quiet_start=clock, quiet_end=clock))
    assert refused.value.field == "quiet_end" and f"“{clock}”" in refused.value.message
