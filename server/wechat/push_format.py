"""What a push says: WeChat's XML or JSON message-push format, read into one `Pushed`.

The mini-program's message-push setting chooses the format (XML or JSON); both carry the same
fields, and an event such as `subscribe_msg_popup_event` carries a list of per-template results
(XML: repeated <List> elements; JSON: a "List" array or object)."""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from xml.etree import ElementTree

MAX_OPENID = 64                 # the column's width; WeChat's openids are 28 characters
MAX_CREATE_TIME = 4102444800    # 2100-01-01: a CreateTime past it is not a time


class Rejected(Exception):
    def __init__(self, status: int, reason: str):
        self.status, self.reason = status, reason
        super().__init__(reason)


@dataclass
class Pushed:
    msg_key: str
    openid: str
    msg_type: str
    event: str | None
    content: str | None
    media_id: str | None
    create_time: int
    # subscribe_msg_popup_event: one {"template_id", "status"} per template the popup offered.
    subscriptions: list[dict] = field(default_factory=list)


def no_dtd(text: str) -> None:
    """No DTDs at all, before and after decryption: WeChat never sends one, and entities are
    how XML bombs and XXE work."""
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise Rejected(400, "DTD not allowed")


def is_json(text: str) -> bool:
    return text.lstrip().startswith("{")


def read_json(text: str) -> dict:
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise Rejected(400, "malformed json")
    if not isinstance(data, dict):
        raise Rejected(400, "malformed json")
    return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number")


def read_xml(text: str) -> dict:
    # ElementTree (expat, in C) is safe here because no_dtd refused any DTD, so no entity but
    # the five predefined ones can appear.
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise Rejected(400, "malformed xml")
    if root.tag != "xml":
        raise Rejected(400, "malformed xml")
    data: dict = {child.tag: child.text for child in root if len(child) == 0}
    lists = [{item.tag: item.text for item in node} for node in root.iter("List")]
    if lists:
        data["List"] = lists
    return data


def parse(text: str) -> Pushed:
    """The decrypted (or plaintext) body, XML or JSON, as one Pushed."""
    return to_pushed(read_json(text) if is_json(text) else read_xml(text))


def _scalar(value) -> str | None:
    """A field's value as text: JSON gives numbers as numbers, XML everything as text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _subscriptions(data: dict) -> list[dict]:
    raw = data.get("List")
    if raw is None and isinstance(data.get("SubscribeMsgPopupEvent"), dict):
        raw = data["SubscribeMsgPopupEvent"].get("List")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        template_id, status = _scalar(item.get("TemplateId")), _scalar(item.get("SubscribeStatusString"))
        if template_id and status:
            out.append({"template_id": template_id[:128], "status": status[:20]})
    return out


def to_pushed(data: dict) -> Pushed:
    openid, msg_type = _scalar(data.get("FromUserName")), (_scalar(data.get("MsgType")) or "").lower()
    if not openid or not msg_type:
        raise Rejected(400, "missing fields")
    if len(openid) > MAX_OPENID:
        raise Rejected(400, "openid too long")       # never cut: a cut one is another user
    try:
        create_time = int(_scalar(data.get("CreateTime")) or 0)
    except ValueError:
        raise Rejected(400, "bad CreateTime")
    if not 0 < create_time < MAX_CREATE_TIME:
        raise Rejected(400, "bad CreateTime")
    event = (_scalar(data.get("Event")) or None) if msg_type == "event" else None
    msg_id = _scalar(data.get("MsgId"))
    # Messages are deduplicated by MsgId; events (which have none) by sender, time and event:
    # WeChat sends several events of one user in the same second.
    key = f"msg:{msg_id}" if msg_id else f"evt:{openid}:{create_time}:{event or msg_type}"
    if len(key) > 100:
        key = "h:" + hashlib.sha256(key.encode()).hexdigest()
    content = _scalar(data.get("Content")) if msg_type == "text" else \
        _scalar(data.get("Recognition")) if msg_type == "voice" else None
    return Pushed(msg_key=key, openid=openid, msg_type=msg_type[:30], event=event[:50] if event else None,
                  content=content, media_id=_scalar(data.get("MediaId")), create_time=create_time,
                  subscriptions=_subscriptions(data) if event == "subscribe_msg_popup_event" else [])
