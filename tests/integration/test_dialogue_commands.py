"""Every command of the engine, the rules where answers are given, three failed tries,
and the draft surviving pauses, other devices and restarts."""
from __future__ import annotations

from datetime import timedelta

from server.extensions import db
from server.models import Conversation, Entry, Season
from server.timeutil import china_today

from .chat import ANSWERS, Chat, to_confirm, walk, through


def started(client, code="demo-participant") -> Chat:
    chat = Chat(client, code)
    chat.say("申报")
    return chat


def test_back_goes_to_the_previous_question_showing_the_answer(client, seeded):
    chat = started(client)
    walk(chat, ANSWERS[:3])
    assert chat.step == "started_on"
    chat.say("上一步")
    assert chat.step == "title" and "皮带输送机自动纠偏装置" in chat.text()
    chat.say("返回")
    assert chat.step == "industry"
    chat.say("电力")                                  # changed; the next unanswered comes next
    assert chat.step == "started_on"
    assert db.session.get(Entry, chat.last["entry_id"]).industry == "电力"


def test_edit_jumps_and_comes_back(client, seeded):
    chat = started(client)
    walk(chat, through("funded_project"))
    assert chat.step == "patent.granted"
    chat.say("修改 项目名称")
    assert chat.step == "title" and "当前填写的是" in chat.text()
    chat.say("带式输送机纠偏装置")
    assert chat.step == "patent.granted"
    chat.say("修改 title")
    assert chat.step == "title"
    chat.say("修改 不存在的字段")
    assert "没有找到" in chat.text() and chat.step == "title"


def test_edit_understands_other_names_for_a_field(client, seeded):
    chat = started(client)
    walk(chat, through("funded_project"))
    chat.say("修改 成果名称")                 # the notice says 成果; the form says 项目名称
    assert chat.step == "title"
    chat.say("带式输送机纠偏装置")
    assert chat.step == "patent.granted"
    chat.say("修改 带头人")                   # not ambiguous with 带头人性别 / 带头人照片
    assert chat.step == "leader.name"


def test_a_long_answer_starting_with_edit_word_is_an_answer(client, seeded):
    chat = started(client)
    walk(chat, ANSWERS[:2])
    chat.say("修改皮带机托辊结构提高寿命的方法")
    assert chat.step == "started_on"
    assert db.session.get(Entry, chat.last["entry_id"]).title == "修改皮带机托辊结构提高寿命的方法"


def test_skip_only_optional_fields(client, seeded):
    chat = started(client)
    chat.say("跳过")
    assert "必填" in chat.text() and chat.step == "category"
    walk(chat, through("leader.professional_title"))
    assert chat.step == "leader.skill_level"          # professional_title was skipped in ANSWERS
    chat.say("查看")
    assert "职称：未填" in chat.text()


def test_help_explains_with_an_example_then_asks_again(client, seeded):
    chat = started(client)
    for word in ("帮助", "？", "?"):
        chat.say(word)
        assert "【填写说明】" in chat.text() and "例如" in chat.text() and chat.step == "category"


def test_review_lists_everything_so_far(client, seeded):
    chat = started(client)
    walk(chat, ANSWERS[:3])
    chat.say("查看")
    text = chat.text()
    assert "项目类型：设备类" in text and "所属行业：煤炭" in text and "开始时间：未填" in text
    assert chat.step == "started_on"


def test_review_at_the_confirm_step_shows_the_summary_once(client, seeded):
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    to_confirm(chat)
    chat.say("查看")
    assert chat.step == "confirm" and chat.text().count("【目前已填写的内容】") == 1, chat.text()


def test_pause_resume_on_another_device_and_after_restart(client, app, seeded):
    chat = started(client)
    walk(chat, ANSWERS[:4])
    chat.say("暂停")
    assert "继续" in chat.text()
    chat.say("2021年")                                 # while paused nothing is taken as an answer
    assert "暂停" in chat.text()

    other = Chat(client, "demo-participant")          # a second login, as on another phone
    resumed = client.get("/api/v1/dialogue", headers=other.headers).get_json()
    assert resumed["state"]["step"] == "completed_on" and resumed["entry_id"] == chat.last["entry_id"]

    db.session.remove()                               # a restart: nothing in memory survives
    db.engine.dispose()
    other.say("继续")
    assert other.step == "completed_on" and "继续" in other.text()


def test_restart_and_abandon_ask_for_confirmation(client, seeded):
    chat = started(client)
    walk(chat, ANSWERS[:3])
    first = chat.last["entry_id"]
    chat.say("重新开始")
    assert "确定吗" in chat.text()
    chat.say("不")
    assert chat.step == "started_on" and chat.last["entry_id"] == first
    chat.say("重新开始")
    chat.say("是")
    assert chat.step == "category" and chat.last["entry_id"] != first
    assert db.session.get(Entry, first).status == "withdrawn"
    walk(chat, ANSWERS[:1])
    chat.say("放弃")
    chat.say("是的")
    assert chat.step is None and "作废" in chat.text()
    chat.say("继续")
    assert "没有正在填写" in chat.text()


def test_window_rules_where_the_answer_is_given(client, seeded):
    chat = started(client)
    walk(chat, ANSWERS[:3])
    chat.say("2015年5月")
    assert "不在范围内" in chat.text() and chat.step == "started_on"
    future = china_today() + timedelta(days=70)
    chat.say(f"{future.year}年{future.month}月")
    assert chat.step == "started_on" and ("晚于今天" in chat.text() or "不在范围内" in chat.text())
    walk(chat, ANSWERS[3:4])
    season = db.session.get(Season, db.session.get(Entry, chat.last["entry_id"]).season_id)
    chat.say(f"{season.achievement_from[:4]}年{int(season.achievement_from[5:])}月")
    assert "不能早于开始时间" in chat.text() and chat.step == "completed_on"


def test_funded_project_is_explained_and_kept(client, seeded):
    chat = started(client)
    walk(chat, through("in_production"))
    chat.say("是")
    assert "不能参加" in chat.text() and chat.step == "funded_project"
    entry = db.session.get(Entry, chat.last["entry_id"])
    assert entry.funded_project is True and entry.status == "draft"
    chat.say("否")
    assert chat.step == "patent.granted"


def test_summary_must_contain_figures(client, seeded):
    chat = started(client)
    walk(chat, through("funded_project"))
    chat.say("否")
    assert chat.step == "summary"
    chat.say("这个项目解决了皮带跑偏的问题，效果非常明显，大家都很满意，领导也给予了高度评价。")
    assert "要有数据体现" in chat.text() and chat.step == "summary"


def test_three_failures_give_a_fuller_explanation(client, seeded):
    chat = started(client)
    walk(chat, ANSWERS[:3])
    for _ in range(2):
        chat.say("去年春天")
        assert "试了几次" not in chat.text()
    chat.say("去年春天")
    text = chat.text()
    assert "试了几次" in text and "例如：" in text and "暂停" in text
    assert chat.step == "started_on"


def test_three_failures_on_optional_field_offer_skip(client, seeded):
    chat = started(client)
    walk(chat, through("leader.political_status"))
    assert chat.step == "leader.professional_title"
    for _ in range(3):
        chat.say("工" * 40)
    assert "跳过" in chat.last["replies"][-1]["text"]


def test_submit_outside_the_window_keeps_the_draft(client, seeded):
    chat = started(client)
    to_confirm(chat)
    season = db.session.get(Season, db.session.get(Entry, chat.last["entry_id"]).season_id)
    season.submit_start, season.submit_end = china_today() + timedelta(days=3), china_today() + timedelta(days=12)
    db.session.commit()
    chat.say("提交")
    assert "还没开始" in chat.text() and chat.step == "confirm"
    assert db.session.get(Entry, chat.last["entry_id"]).status == "draft"
    season.submit_start, season.submit_end = china_today() - timedelta(days=12), china_today() - timedelta(days=2)
    db.session.commit()
    chat.say("提交")
    assert "已于" in chat.text() and "截止" in chat.text()
    assert db.session.get(Entry, chat.last["entry_id"]).status == "draft"


def test_submit_rechecks_every_rule(client, seeded):
    chat = started(client)
    to_confirm(chat)
    entry = db.session.get(Entry, chat.last["entry_id"])
    entry.summary = "没有任何数据的简介，只有文字描述，说明效果很好，大家都满意。"   # changed behind the bot's back
    db.session.commit()
    chat.say("提交")
    assert "还不能提交" in chat.text() and "数据" in chat.text()
    assert chat.step == "summary"


def test_conversation_and_draft_are_saved_each_turn(client, seeded):
    chat = started(client)
    walk(chat, ANSWERS[:2])
    conv = db.session.scalar(db.select(Conversation))
    assert conv.step == "title" and conv.history == ["category", "industry"]
    assert db.session.get(Entry, conv.entry_id).industry == "煤炭"


def test_risky_text_is_explained_not_stored(client, seeded, wx):
    chat = started(client)
    walk(chat, ANSWERS[:2])
    chat.say("网络赌博推广装置")
    assert "内容安全检查" in chat.text() and chat.step == "title"
    assert db.session.get(Entry, chat.last["entry_id"]).title is None
    check = wx.calls("msg_sec_check")[-1]["data"]
    assert check["version"] == 2 and check["openid"] == chat_openid("demo-participant")
    wx.fault("msg_sec_check", -1, times=None)          # the check is down: the answer is kept
    chat.say("皮带输送机自动纠偏装置")
    assert chat.step == "started_on"


def chat_openid(code: str) -> str:
    from server.wechat.sandbox import openid_for_code
    return openid_for_code(code)
