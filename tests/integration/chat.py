"""A phone user talking to the bot over the HTTP API, and the answers they give."""
from __future__ import annotations

import io

from PIL import Image

from server.timeutil import china_today

from ..helpers import auth_header, login


class Chat:
    def __init__(self, client, code: str):
        self.client = client
        body = login(client, code)
        self.headers = auth_header(body["token"])
        self.user = body["user"]
        self.last = None

    def say(self, text: str) -> dict:
        res = self.client.post("/api/v1/dialogue/messages", json={"text": text}, headers=self.headers)
        assert res.status_code == 200, res.get_json()
        self.last = res.get_json()
        return self.last

    def image(self, size=(300, 400)) -> dict:
        buf = io.BytesIO()
        Image.new("RGB", size, "red").save(buf, format="JPEG")
        res = self.client.post("/api/v1/dialogue/messages", data={"image": (io.BytesIO(buf.getvalue()), "p.jpg")},
                               headers=self.headers, content_type="multipart/form-data")
        assert res.status_code == 200, res.get_json()
        self.last = res.get_json()
        return self.last

    @property
    def step(self):
        return self.last["state"]["step"]

    def text(self) -> str:
        return "\n".join(r["text"] for r in self.last["replies"])


def months_ago(n: int) -> tuple[int, int]:
    today = china_today()
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


START, DONE, GRANT, APPLIED = months_ago(12), months_ago(3), months_ago(2), months_ago(2)
CN_DIGITS = "〇一二三四五六七八九"
CN_MONTHS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]

ANSWERS = [  # (step expected, answer as typed on a phone)
    ("category", "２"),
    ("industry", "煤炭"),
    ("title", "皮带输送机自动纠偏装置"),
    ("started_on", f"{START[0]}年{START[1]}月"),
    ("completed_on", "".join(CN_DIGITS[int(d)] for d in str(DONE[0])) + f"年{CN_MONTHS[DONE[1]]}月"),
    ("applied_on", f"{APPLIED[0]}年{APPLIED[1]}月"),
    ("in_production", "是的"),
    ("funded_project", "没有"),
    ("patent.granted", "有"),
    ("patent.number", "ZL 2020 2 1234567.2"),
    ("patent.announced_on", f"{GRANT[0]}年{GRANT[1]}月15日"),
    ("summary", "针对皮带跑偏频繁停机的问题，加装自动纠偏装置，跑偏停机由每月12次降到1次，年节约维修费8万元。"),
    ("benefit.kind", "经济"),
    ("benefit.amount", "五十万元"),
    ("leader.name", "我本人"),
    ("leader.occupation", "在职职工"),
    ("leader.gender", "男"),
    ("leader.birth_month", "1985.6"),
    ("leader.phone", "+86 139-1234-5678"),
    ("leader.work_start", "2006-07"),
    ("leader.political_status", "党员"),
    ("leader.professional_title", "跳过"),
    ("leader.skill_level", "技师"),
    ("leader.education", "大专"),
    ("leader.highest_honor", "晋城市五一劳动奖章"),
    ("leader.bio", "2006年参加工作，一直从事综采设备维修，先后任维修工、班长。"),
    ("leader.deeds", "带领班组5人攻关3个月，完成设计、试制和改进，装置运行稳定。"),
]


def through(step: str) -> list[tuple[str, str]]:
    """ANSWERS up to and including `step` (so a test does not depend on how many steps come before)."""
    return ANSWERS[:[name for name, _ in ANSWERS].index(step) + 1]


def walk(chat: Chat, answers) -> None:
    for expected, answer in answers:
        assert chat.step == expected, (chat.step, expected, chat.text())
        chat.say(answer)


def to_confirm(chat: Chat) -> None:
    walk(chat, ANSWERS)
    for text in ("跳过", "完成", "我本人", "李华"):     # photo, attachments, filled_by, responsible
        chat.say(text)
    assert chat.step == "confirm"


BY_STEP = {**dict(ANSWERS), "leader.photo": "跳过", "attachments": "完成", "filled_by": "我本人",
           "responsible_person": "李华"}


def answer_until_confirm(chat: Chat, limit: int = 60) -> None:
    """Answer whatever is asked (a returning user's profile skips some steps) up to the confirm step."""
    for _ in range(limit):
        if chat.step == "confirm":
            return
        chat.say(BY_STEP[chat.step])
    raise AssertionError(f"no confirm step after {limit} answers: {chat.step}")
