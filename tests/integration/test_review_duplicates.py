"""Duplicate flags with near-matching leader names, through the reviewer's queue (issue 15
item 9): a variant or a one-character slip in the name still flags the other entry; a
two-character name one apart, or a different title, does not; keys follow a resubmission."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import LeaderKey
from server.timeutil import china_today
from server.wechat.sandbox import openid_for_code

from ..factories import make_entry, make_review_world, make_season
from ..helpers import auth_header, login


@pytest.fixture()
def world(ctx):
    w = make_review_world()
    db.session.commit()
    return w


# (earlier leader, earlier title, this leader, this title, flagged)
PAIRS = [
    ("張建國", "皮帶輸送機自動糾偏裝置", "张建国", "皮带输送机自动纠偏装置", True),
    ("张建国", "液压支架快速检修工装", "张健国", "液压支架快速检修工装（改进）", True),
    ("阿依古丽·买买提", "锅炉除渣工艺优化", "阿依古丽买买提", "锅炉除渣工艺优化", True),
    ("ＬＩ　Ｍｉｎｇ", "ＰＬＣ控制系统改造", "Li Ming", "PLC控制系统改造", True),
    ("张伟", "变电站巡检记录小程序", "张玮", "变电站巡检记录小程序", False),      # two characters
    ("张建国", "井下水泵远程控制", "张建国", "井下照明节能改造", False),          # other title
    ("张建国", "皮带张紧装置改造", "王志强", "皮带张紧装置改造", False),          # other person
    # Names one character apart need closer titles (≥ 0.9) than the same name (≥ 0.8):
    ("李建华", "皮带输送机自动纠偏装置", "李建华", "皮带输送机自动纠偏装置改进型", True),
    ("赵建华", "皮带输送机自动纠偏装置", "赵建军", "皮带输送机自动纠偏装置改进型", False),
]


def test_near_names_flag_through_the_queue(world, client):
    earlier = make_season(name="上一届", today=china_today() - timedelta(days=365))
    made = []
    for old_leader, old_title, leader, title, flagged in PAIRS:
        old = make_entry(world.users["p_cq"], status="accepted", season=earlier, title=old_title,
                         leader__name=old_leader)
        new = make_entry(world.users["p_cq"], status="submitted", season=world.season, title=title,
                         leader__name=leader)
        made.append((old.id, new.id, flagged))
    world.users["unit_cq"].openid = openid_for_code("dup-unit_cq")
    db.session.commit()
    h = auth_header(login(client, "dup-unit_cq")["token"])
    items = {i["id"]: i for i in client.get("/api/v1/review/queue?per_page=100", headers=h).get_json()["items"]}
    for (old_id, new_id, flagged), pair in zip(made, PAIRS):
        assert [d["id"] for d in items[new_id]["duplicates"]] == ([old_id] if flagged else []), pair


def test_keys_and_flags_follow_the_name_on_resubmission(world):
    from server.services import status
    from server.services.review.duplicates import flags
    earlier = make_season(name="上一届", today=china_today() - timedelta(days=365))
    old = make_entry(world.users["p_cq"], status="accepted", season=earlier, title="皮带自动纠偏装置",
                     leader__name="张建国")
    e = make_entry(world.users["p_cq"], status="submitted", season=world.season, leader__name="張建國",
                   title="皮带自动纠偏装置")
    db.session.commit()
    assert "张建国" in set(db.session.scalars(select(LeaderKey.key).where(LeaderKey.entry_id == e.id)))
    assert [d["id"] for d in flags([e, old])[e.id]] == [old.id] and old.id not in flags([e, old])
    e.status = "returned"
    e.leader.name = "李明华"
    status.transition(e, "submit", world.users["p_cq"])
    db.session.commit()
    keys = set(db.session.scalars(select(LeaderKey.key).where(LeaderKey.entry_id == e.id)))
    assert "李明华" in keys and "张建国" not in keys and "李*华" in keys
    assert flags([e]) == {}                                  # another leader now: no longer a duplicate
    old.status = "withdrawn"
    e.leader.name = "张建国"
    e.status = "returned"
    status.transition(e, "submit", world.users["p_cq"])
    db.session.commit()
    assert flags([e]) == {}                                  # the other was withdrawn
