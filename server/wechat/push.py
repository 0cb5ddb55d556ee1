"""Security of the push endpoint: signature, AES secure mode, replay window, safe XML."""
from __future__ import annotations

import time
from dataclasses import dataclass
from xml.etree import ElementTree

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

MAX_BODY = 64 * 1024
REPLAY_WINDOW = 300      # seconds; WeChat retries within ~15 s


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


def verify_url(config: dict, args: dict) -> str:
    """GET: the URL check. Returns echostr when the signature is right."""
    _check(config["WECHAT_TOKEN"], args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    return args.get("echostr", "")


def _check(token: str, signature: str, timestamp: str, nonce: str) -> None:
    try:
        check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Rejected(403, "bad signature")


def _fresh(timestamp: str, now: float | None = None) -> None:
    try:
        ts = int(timestamp)
    except ValueError:
        raise Rejected(403, "bad timestamp")
    if abs((now or time.time()) - ts) > REPLAY_WINDOW:
        raise Rejected(403, "stale timestamp")


def open_message(config: dict, args: dict, body: bytes) -> Pushed:
    """POST: verify, decrypt (secure mode), parse. Raises Rejected with the HTTP status."""
    if len(body) > MAX_BODY:
        raise Rejected(413, "body too large")
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    _check(config["WECHAT_TOKEN"], args.get("signature", ""), timestamp, nonce)
    _fresh(timestamp)
    text = _decode(body)
    if args.get("encrypt_type") == "aes":
        crypto = WeChatCrypto(config["WECHAT_TOKEN"], config["WECHAT_AES_KEY"], config["WECHAT_APPID"])
        try:
            text = crypto.decrypt_message(text, args.get("msg_signature", ""), timestamp, nonce)
        except (InvalidSignatureException, InvalidAppIdException):
            raise Rejected(403, "bad msg_signature or appid")
        except Exception:
            raise Rejected(400, "undecryptable")
        text = text if isinstance(text, str) else text.decode("utf-8")
    return _parse(text)


def _decode(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "not utf-8")
    # No DTDs at all: WeChat never sends one, and entities are how XML bombs and XXE work.
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise Rejected(400, "DTD not allowed")
    return text


def _parse(text: str) -> Pushed:
    # ElementTree (expat, in C) is safe here because _decode refused any DTD, so no entity
    # but the five predefined ones can appear; WeChat's XML is one flat level of fields.
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise Rejected(400, "malformed xml")
    if root.tag != "xml":
        raise Rejected(400, "malformed xml")
    data = {child.tag: (child.text or "").strip() or None for child in root}
    openid, msg_type = data.get("FromUserName"), (data.get("MsgType") or "").lower()
    try:
        create_time = int(data.get("CreateTime") or 0)
    except (TypeError, ValueError):
        raise Rejected(400, "bad CreateTime")
    if not openid or not msg_type or not create_time or not isinstance(openid, str):
        raise Rejected(400, "missing fields")
    msg_id = data.get("MsgId")
    # Messages are deduplicated by MsgId; events (which have none) by sender and time.
    key = f"msg:{msg_id}" if msg_id else f"evt:{openid}:{create_time}"
    content = data.get("Content") if msg_type == "text" else data.get("Recognition") if msg_type == "voice" else None
    return Pushed(msg_key=str(key)[:100], openid=openid[:64], msg_type=msg_type[:30],
                  event=(data.get("Event") or None) if msg_type == "event" else None,
                  content=content if isinstance(content, str) else None,
                  media_id=data.get("MediaId") if isinstance(data.get("MediaId"), str) else None,
                  create_time=create_time)
