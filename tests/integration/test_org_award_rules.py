"""The 优秀组织奖 scoring rules in the console (issue 18 item 5 follow-up): the city office sets how
items 5–8 turn figures into points (season setting org_award); each wrong field is named beside
itself and nothing is saved; offices below see the rules, may not change them; a change is
audited and scores the sheets accordingly; once a sheet of the season is decided they stay."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, OrgAwardSheet, Organisation, User
from server.services.awards import items
from server.services.seasons import current_season

from ..factories import make_entry
from ..helpers import auth_header, login
from .console import csrf_of, desk_login

GOOD = {"unit_rate_full_at": "80", "people_rate_full_at": "50%", "points_per_excellent": "5",
        "points_per_promotion": "0.5"}


def _county() -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == "城区"))


# one field changed from GOOD → the field named and words of its message
BAD = [
    ("unit_rate_full_at", "", "请填写"),
    ("unit_rate_full_at", "九十", "应是数字"),
    ("unit_rate_full_at", "5", "10% 到 100%"),
    ("people_rate_full_at", "120", "10% 到 100%"),
    ("points_per_excellent", "16", "第7项最高 15 分"),
    ("points_per_excellent", "1.25", "最多一位小数"),
    ("points_per_promotion", "0", "0.1 到 10 分"),
    ("points_per_promotion", "NaN", "应是数字"),
    ("unit_rate_full_at", "1e30", "10% 到 100%"),              # quantize raised: a 500 before
    ("points_per_excellent", "1E+40", "第7项最高 15 分"),
]


@pytest.mark.parametrize("field, raw, words", BAD)
def test_bad_rules_are_named_and_nothing_is_saved(client, seeded, field, raw, words):
    token = desk_login(client, "demo-city-admin")
    res = client.post("/console/org-awards/rules", data={"csrf_token": token, **GOOD, field: raw})
    assert res.status_code == 400
    assert f'data-field="{field}"' in res.text and words in res.text
    assert f'value="{raw}"' in res.text                               # what was typed stays
    assert "org_award" not in (current_season().settings or {})


def test_the_city_office_changes_the_rules_and_the_sheet_follows(client, seeded):
    season, county = current_season(), _county()
    unit = db.session.scalar(select(Organisation).where(Organisation.name == "晋城示范煤机制造有限公司"))
    participant = db.session.scalar(select(User).where(User.name == "张建国"))
    make_entry(participant, status="accepted", season=season, unit=unit)
    db.session.commit()
    api = login(client, "demo-county-admin")["token"]

    def item(no):
        body = client.get(f"/api/v1/org-awards/{county.id}?season={season.id}", headers=auth_header(api)).get_json()
        return next(i for i in body["items"] if i["no"] == no)
    assert Decimal(item(7)["score"]) == Decimal(items.RULE_DEFAULTS["points_per_excellent"])   # 1 entry × 3
    desk_login(client, "demo-city-admin")
    page = client.get("/console/org-awards").text
    assert 'name="points_per_excellent"' in page and 'value="90"' in page          # 0.9 shown as 90 (%)
    res = client.post("/console/org-awards/rules", data={"csrf_token": csrf_of(page), **GOOD})
    assert res.status_code == 302
    assert items.rules(current_season())["unit_rate_full_at"] == 0.8
    assert items.rules(current_season())["people_rate_full_at"] == 0.5
    assert Decimal(item(7)["score"]) == Decimal("5.0") and "5.0" in item(7)["rule"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "org_award_rules_set"))
    assert event.data["before"]["points_per_excellent"] == 3 and event.data["after"]["points_per_excellent"] == 5
    assert "修改优秀组织奖计分规则" in client.get("/console/audit?action=org_award_rules_set").text
    # the same values again: nothing to record
    again = client.post("/console/org-awards/rules", data={"csrf_token": csrf_of(page), **GOOD})
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "org_award_rules_set")) == 1


def test_offices_below_see_the_rules_but_may_not_change_them(client, seeded):
    token = desk_login(client, "demo-county-admin")
    page = client.get("/console/org-awards").text
    assert "第5项" in page and 'name="unit_rate_full_at"' not in page and 'id="org-award-rules-table"' in page
    res = client.post("/console/org-awards/rules", data={"csrf_token": token, **GOOD})
    assert res.status_code == 403 and "市级" in res.text
    assert "org_award" not in (current_season().settings or {})


def test_rules_stay_once_a_sheet_is_decided(client, seeded):
    season = current_season()
    db.session.add(OrgAwardSheet(season_id=season.id, org_id=_county().id, status="awarded"))
    db.session.commit()
    token = desk_login(client, "demo-city-admin")
    res = client.post("/console/org-awards/rules", data={"csrf_token": token, **GOOD})
    assert res.status_code == 409 and "已有 1 张考核表评定" in res.text
    assert "org_award" not in (current_season().settings or {})
