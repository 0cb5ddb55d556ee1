"""Season dates are China time: the window of 1–10 September 2021 opens at 00:00 CST on the
1st (16:00 UTC on 31 August) and closes after 23:59:59 CST on the 10th."""
from __future__ import annotations

from datetime import date, datetime

from server.models import Season


def season(grace: int = 0) -> Season:
    return Season(name="2021", year=2021, organise_start=date(2021, 5, 20), organise_end=date(2021, 8, 31),
                  submit_start=date(2021, 9, 1), submit_end=date(2021, 9, 10),
                  review_start=date(2021, 9, 11), review_end=date(2021, 9, 30),
                  publish_start=date(2021, 10, 1), publish_end=date(2021, 12, 31),
                  achievement_from="2019-10", achievement_to="2021-09", grace_minutes=grace)


def test_window_edges_in_china_time():
    s = season()
    assert not s.submission_open(datetime(2021, 8, 31, 15, 59, 59))   # 23:59:59 CST on 31 Aug
    assert s.submission_open(datetime(2021, 8, 31, 16, 0, 0))         # 00:00 CST on 1 Sep
    assert s.submission_open(datetime(2021, 9, 10, 15, 59, 59))       # 23:59:59 CST on 10 Sep
    assert not s.submission_open(datetime(2021, 9, 10, 16, 0, 0))     # 00:00 CST on 11 Sep


def test_grace_period_is_a_season_setting():
    assert season(grace=30).submission_open(datetime(2021, 9, 10, 16, 29, 0))
    assert not season(grace=30).submission_open(datetime(2021, 9, 10, 16, 30, 0))


def test_phase_at():
    s = season()
    assert s.phase_at(datetime(2021, 6, 1)) == "organise"
    assert s.phase_at(datetime(2021, 9, 5)) == "submit"
    assert s.phase_at(datetime(2021, 9, 20)) == "review"
    assert s.phase_at(datetime(2021, 11, 1)) == "publish"
    assert s.phase_at(datetime(2022, 3, 1)) is None
