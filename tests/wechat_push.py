"""Build pushes as WeChat sends them: signed XML, plaintext or AES secure mode."""
from __future__ import annotations

import hashlib
import json
import time
import uuid

from wechatpy.crypto import WeChatCrypto

TOKEN, AES_KEY, APPID = "sandboxtoken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxsandbox0000000001"


def sign(timestamp: str, nonce: str, token: str = TOKEN) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def xml_text(openid: str, text: str, msg_id: int, create_time: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def xml_image(openid: str, media_id: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
            f"<PicUrl><![CDATA[http://example.invalid/p.jpg]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>"
            f"<MsgId>{msg_id}</MsgId></xml>")


def xml_event(openid: str, event: str, create_time: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><SessionFrom><![CDATA[]]></SessionFrom></xml>")


def json_push(openid: str, create_time: int, msg_type: str, **fields) -> str:
    """The same push in the JSON message-push format (numbers as numbers, as WeChat sends them)."""
    return json.dumps({"ToUserName": "gh_sandbox", "FromUserName": openid, "CreateTime": create_time,
                       "MsgType": msg_type, **fields}, ensure_ascii=False)


def push_args(xml: str, *, aes: bool = False, timestamp: int | None = None, nonce: str | None = None) -> tuple[dict, str]:
    """Query string and body of a signed push; each call gets a new nonce, as WeChat's pushes do."""
    nonce = nonce or uuid.uuid4().hex[:10]
    ts = str(timestamp or int(time.time()))
    args = {"signature": sign(ts, nonce), "timestamp": ts, "nonce": nonce, "openid": "o"}
    if not aes:
        return args, xml
    encrypted = WeChatCrypto(TOKEN, AES_KEY, APPID).encrypt_message(xml, nonce, ts)
    import xmltodict
    envelope = xmltodict.parse(encrypted)["xml"]
    args.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
    if xml.lstrip().startswith("{"):        # JSON format: the envelope is JSON too
        return args, json.dumps({"ToUserName": "gh_sandbox", "Encrypt": envelope["Encrypt"]})
    return args, encrypted
