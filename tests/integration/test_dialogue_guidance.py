"""Issue 12 items 13, 14, 15, 17, 18, tried as a new user would: a unit found by search when the
user has none of their own; help examples taken from the season; a step count that only moves on;
the leader's profile by the kind of person; text limits from the season's settings."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Entry, Organisation, Season
from server.timeutil import utcnow

from ..helpers import auth_header, login
from .chat import ANSWERS, BY_STEP, Chat, months_ago, through, walk


def started(client, code: str = "demo-participant") -> Chat:
    chat = Chat(client, code)
    chat.say("申报")
    return chat


def current_season(chat: Chat) -> Season:
    return db.session.get(Entry, chat.last["entry_id"]).season


# -- 13. a unit found by search -------------------------------------------------------------------
def to_unit(client) -> Chat:
    chat = started(client, "worker-without-roles")
    walk(chat, ANSWERS[:3])
    assert chat.step == "unit"
    return chat


def test_without_a_unit_of_ones_own_the_question_offers_a_search(client, seeded):
    chat = to_unit(client)
    last = chat.last["replies"][-1]
    assert last["options"] == [] and "简称" in last["text"] and "县" in last["text"]
    chat.say("1")                                       # no list was shown: a number is no answer
    assert chat.step == "unit" and "列表" not in chat.text() and "几个字" in chat.text()
    chat.say("帮助")
    assert "回复序号选择" not in chat.text() and "总工会" in chat.text()


@pytest.mark.parametrize("before", [None, "没有这个单位的名字", "e站"])
def test_a_number_never_points_to_a_list_that_was_not_shown(client, seeded, before):
    chat = to_unit(client)
    if before:
        chat.say(before)                  # nothing found, or a list of three e-stations shown
    shown = chat.last["replies"][-1]["options"]
    chat.say("9")
    text = chat.text()
    assert chat.step == "unit"
    if shown:
        assert "9" in text and "序号" in text, text
    else:
        assert "列表" not in text and "几个字" in text, text


@pytest.mark.parametrize("query, listed, pick, unit", [
    ("e站", ["寺庄镇乡村e站（高平市）", "巴公镇东村乡村e站（泽州县）", "北义城镇西村乡村e站（泽州县）"], "3", "北义城镇西村乡村e站"),
    ("泽州 e站", ["巴公镇东村乡村e站（泽州县）", "北义城镇西村乡村e站（泽州县）"], "1", "巴公镇东村乡村e站"),    # county
    ("示范", None, "晋城示范中学", "晋城示范中学"),                                          # by name
    ("示范公司", None, "2", None),                    # 公司 is noise: several 示范 … 有限公司
])
def test_search_lists_the_closest_units_and_a_number_picks_one(client, seeded, query, listed, pick, unit):
    chat = to_unit(client)
    chat.say(query)
    shown = chat.last["replies"][-1]
    lines = re.findall(r"^(\d+)\. (.+)$", shown["text"], re.M)
    assert lines and [int(n) for n, _ in lines] == list(range(1, len(lines) + 1))
    assert shown["options"] == [re.sub(r"（.+）$", "", name) for _, name in lines]
    if listed:
        assert [name for _, name in lines] == listed
    expected = unit or shown["options"][int(pick) - 1]
    chat.say(pick)
    db.session.expire_all()
    chosen = db.session.get(Organisation, db.session.get(Entry, chat.last["entry_id"]).unit_id)
    assert chosen.name == expected and chat.step == "started_on"


@pytest.mark.parametrize("query, unit", [
    ("晋城煤机", "晋城示范煤机制造有限公司"),          # an abbreviation: the characters in order
    ("蓝天公司", "晋城蓝天新材料科技有限公司"),
    ("泽州 电力", "泽州示范电力检修有限公司"),        # county + a word
    ("高平农机", "高平示范农机修造厂"),               # county name written into the words
    ("泽州县 电力", "泽州示范电力检修有限公司"),      # the county's full name, 县 included
    ("晋城示范煤机制造有限公司（城区）", "晋城示范煤机制造有限公司"),   # copied from a list as shown
    ("泽州县 西村乡村E站", "北义城镇西村乡村e站"),         # letters in either case
])
def test_one_close_match_is_taken(client, seeded, query, unit):
    chat = to_unit(client)
    chat.say(query)
    db.session.expire_all()
    unit_id = db.session.get(Entry, chat.last["entry_id"]).unit_id
    assert unit_id and db.session.get(Organisation, unit_id).name == unit, chat.text()


def test_a_unit_that_is_not_registered(client, seeded):
    chat = to_unit(client)
    chat.say("火星探测研究所")
    text = chat.text()
    assert chat.step == "unit" and "火星探测研究所" in text
    assert "总工会" in text and "管理员" in text and "草稿" in text and "继续" in text
    assert db.session.get(Entry, chat.last["entry_id"]).title == ANSWERS[2][1]     # the draft waits


# -- 14. examples from the season -------------------------------------------------------------------
def _window(months_back_from: int, months_back_to: int) -> tuple[str, str]:
    (y1, m1), (y2, m2) = months_ago(months_back_from), months_ago(months_back_to)
    return f"{y1}-{m1:02d}", f"{y2}-{m2:02d}"


@pytest.mark.parametrize("window", [("2019-10", "2021-09"), _window(24, 0), _window(3, 0), _window(30, -6)])
def test_help_examples_keep_to_the_rule_beside_them(client, seeded, window):
    chat = started(client)
    season = current_season(chat)
    season.achievement_from, season.achievement_to = window
    db.session.commit()
    walk(chat, [(s, a) for s, a in ANSWERS[:3]])
    for step in ("started_on", "completed_on", "applied_on"):
        assert chat.step == step
        chat.say("帮助")
        text = chat.text()
        if step != "applied_on":
            assert f"{window[0]} 至 {window[1]}" in text
        example = re.search(r"例如：(.+)", text).group(1).strip()
        chat.say(example)                               # the example is an answer the rule accepts
        assert chat.step != step, (step, example, chat.text())
    walk(chat, [("in_production", "是"), ("funded_project", "否"), ("patent.granted", "是"), ("patent.number", BY_STEP["patent.number"])])
    chat.say("帮助")
    example = re.search(r"例如：(.+)", chat.text()).group(1).strip()
    chat.say(example)
    assert chat.step == "summary", (example, chat.text())


# -- 15. the step count -----------------------------------------------------------------------------
@pytest.mark.parametrize("code, returning", [
    ("demo-participant", False),       # the unit is prefilled from the role
    ("demo-participant", True),        # a second entry: the leader's profile is prefilled too
    ("demo-estation", False),          # files for self from the e-station
])
def test_the_step_count_moves_on_by_one_and_ends_right(client, seeded, code, returning):
    chat = Chat(client, code)
    if returning:
        chat.say("申报")
        _answer_all(chat, [])
        chat.say("提交")
        assert chat.last["state"]["done"]
    chat.say("申报")
    started_total = int(re.search(r"共 (\d+) 步", chat.text()).group(1))
    seen = []
    _answer_all(chat, seen)
    assert [c for c, _ in seen] == list(range(1, len(seen) + 1)), seen
    assert seen[-1][0] == seen[-1][1] and all(c <= t for c, t in seen)
    if not returning:   # the total changes as answers open conditional steps (a patent: +2; economic: +1)
        assert seen[-1][1] == started_total + 3, (started_total, seen[-1])
    else:               # … and when "我本人" fills the leader's profile, whose steps are then not counted
        assert seen[-1][1] < started_total + 3


def _answer_all(chat: Chat, seen: list) -> None:
    for _ in range(60):
        progress = chat.last["state"]["progress"]
        seen.append((progress["current"], progress["total"]))
        if chat.step == "confirm":
            return
        chat.say(BY_STEP.get(chat.step) or "在职职工")
    raise AssertionError("no confirm step")


# -- 17. the leader's profile by the kind of person ------------------------------------------------
LEADER_TAIL = [("leader.gender", "女"), ("leader.birth_month", "2003年4月"), ("leader.phone", "13700001111")]


@pytest.mark.parametrize("kind, asked, skipped", [
    ("在职职工", ["leader.work_start", "leader.professional_title", "leader.skill_level"], []),
    ("教师", ["leader.work_start", "leader.professional_title", "leader.skill_level"], []),
    ("学生", [], ["leader.work_start", "leader.professional_title", "leader.skill_level"]),
    ("农民", [], ["leader.work_start", "leader.professional_title", "leader.skill_level"]),
])
def test_the_leader_profile_asks_what_applies(client, seeded, kind, asked, skipped):
    chat = started(client)
    walk(chat, through("benefit.amount"))
    walk(chat, [("leader.name", "王小红"), ("leader.occupation", kind), *LEADER_TAIL])
    seen = []
    for _ in range(8):
        seen.append(chat.step)
        if chat.step == "leader.education":
            break
        chat.say({"leader.work_start": "2015年9月", "leader.political_status": "群众",
                  "leader.professional_title": "无", "leader.skill_level": "无"}[chat.step])
    assert all(s in seen for s in asked) and not set(seen) & set(skipped), seen
    db.session.expire_all()
    leader = db.session.get(Entry, chat.last["entry_id"]).leader
    if asked:                      # 无 is accepted where the field may not apply
        assert (leader.professional_title, leader.skill_level) == ("无", "无")
    else:
        assert (leader.work_start, leader.professional_title, leader.skill_level) == (None, None, None)


def test_changing_the_kind_clears_what_no_longer_applies(client, seeded):
    chat = started(client)
    walk(chat, through("benefit.amount"))
    walk(chat, [("leader.name", "王小红"), ("leader.occupation", "在职职工"), *LEADER_TAIL,
                ("leader.work_start", "2020年7月")])
    chat.say("修改 带头人身份")
    chat.say("学生")
    db.session.expire_all()
    assert db.session.get(Entry, chat.last["entry_id"]).leader.work_start is None


# -- 18. text limits from the season ---------------------------------------------------------------
SUMMARY_29 = "改造后故障率下降30%，年节约维修费8万元，停机减少5小时"      # 29 characters, with figures


@pytest.mark.parametrize("settings, refused, says", [
    ({}, False, None),                                      # RULES.md sets no minimum
    ({"text_limits": {"summary": {"min": 30, "reason": "评审要能看出问题、做法和效果"}}}, True,
     ["至少 30 个字", "评审要能看出问题、做法和效果", "还差 1 个字"]),
    ({"text_limits": {"summary": {"min": 50, "reason": "本届评审要求"}}}, True, ["还差 21 个字"]),
    ({"text_limits": {"summary": {"max": 20, "reason": "要印在一页上"}}}, True, ["最多 20 个字", "删减 9 个字"]),
])
def test_summary_length_comes_from_the_season(client, seeded, settings, refused, says):
    assert len(SUMMARY_29) == 29
    chat = started(client)
    current_season(chat).settings = settings
    db.session.commit()
    walk(chat, through("patent.announced_on"))
    assert chat.step == "summary"
    chat.say(SUMMARY_29)
    assert (chat.step == "summary") is refused, chat.text()
    for words in says or ():
        assert words in chat.text()
    # form mode reads the same setting
    h = auth_header(login(client, "demo-participant")["token"])
    entry_id = db.session.scalar(select(Entry.id).order_by(Entry.id.desc()))
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"summary": SUMMARY_29}, headers=h)
    assert (res.status_code == 400) is refused


@pytest.mark.parametrize("leader, refused", [
    ({"occupation": "农民", "work_start": "2006-07"}, ["leader.work_start"]),
    ({"work_start": "2006-07", "occupation": "学生", "skill_level": "技师"}, ["leader.skill_level", "leader.work_start"]),
    ({"occupation": "教师", "work_start": "2006-07", "skill_level": "无"}, []),
])
def test_form_mode_refuses_what_does_not_apply_to_the_leader(client, seeded, leader, refused):
    h = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={}, headers=h).get_json()["id"]
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"leader": leader}, headers=h)
    problems = {p["field"]: p["message"] for p in res.get_json().get("error", {}).get("problems", [])}
    assert sorted(problems) == refused, problems
    assert all("带头人身份" in m for m in problems.values())
    body = client.get(f"/api/v1/entries/{entry_id}", headers=h).get_json()
    assert body["leader"]["occupation"] in ("farmer", "student", "teacher")


def test_a_retired_unit_is_no_longer_offered(client, seeded):
    retired = db.session.scalar(select(Organisation).where(Organisation.name == "巴公镇东村乡村e站"))
    retired.retired_at = utcnow()
    db.session.commit()
    chat = to_unit(client)
    chat.say("泽州 e站")             # two e-stations in 泽州县, one retired: the other is taken
    db.session.expire_all()
    unit_id = db.session.get(Entry, chat.last["entry_id"]).unit_id
    assert unit_id and db.session.get(Organisation, unit_id).name == "北义城镇西村乡村e站", chat.text()
    chat.say("修改 完成单位")
    chat.say("巴公镇东村乡村e站")    # not even by its full name
    assert chat.step == "unit" and "巴公镇" not in chat.text()
