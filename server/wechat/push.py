"""Security of the push endpoint: signature, AES secure mode, replay window, nonces, safe XML.

In plaintext mode WeChat's signature covers token, timestamp and nonce, not the body: a seen
`signature/timestamp/nonce` could be replayed with another body within the freshness window.
So each nonce may carry one body: `claim_nonce(nonce, digest)` (services/inbound.py, a Redis
SET NX shared by every process) answers whether this nonce is new or was seen with this very
body (WeChat's own retry, harmless: the message key deduplicates it). Secure (AES) mode signs
the encrypted body too (msg_signature) and is the mode to run live."""
from __future__ import annotations

import hashlib
import time
from typing import Callable

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from .push_format import Pushed, Rejected, is_json, no_dtd, parse, read_json

__all__ = ["MAX_BODY", "REPLAY_WINDOW", "Pushed", "Rejected", "verify_url", "open_message"]

MAX_BODY = 64 * 1024
REPLAY_WINDOW = 300      # seconds; WeChat retries within ~15 s


def verify_url(config: dict, args: dict) -> str:
    """GET: the URL check. Returns echostr when the signature is right and fresh."""
    timestamp = args.get("timestamp", "")
    _check(config["WECHAT_TOKEN"], args.get("signature", ""), timestamp, args.get("nonce", ""))
    _fresh(timestamp)
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


def open_message(config: dict, args: dict, body: bytes,
                 claim_nonce: Callable[[str, str], bool] | None = None) -> Pushed:
    """POST: verify, decrypt (secure mode), parse. Raises Rejected with the HTTP status.
    claim_nonce(nonce, body digest) -> False refuses a plaintext push whose nonce was used
    with another body."""
    if len(body) > MAX_BODY:
        raise Rejected(413, "body too large")
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    _check(config["WECHAT_TOKEN"], args.get("signature", ""), timestamp, nonce)
    _fresh(timestamp)
    text = _decode(body)
    if args.get("encrypt_type") == "aes":
        text = _decrypt(config, text, args.get("msg_signature", ""), timestamp, nonce)
        no_dtd(text)                       # the decrypted message is XML too
    elif claim_nonce is not None and not claim_nonce(nonce, hashlib.sha256(body).hexdigest()):
        raise Rejected(403, "nonce already used")
    return parse(text)


def _decrypt(config: dict, text: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    crypto = WeChatCrypto(config["WECHAT_TOKEN"], config["WECHAT_AES_KEY"], config["WECHAT_APPID"])
    envelope = read_json(text) if is_json(text) else text
    if isinstance(envelope, dict) and not isinstance(envelope.get("Encrypt"), str):
        raise Rejected(400, "undecryptable")
    try:
        # wechatpy reads the XML envelope itself, or takes the JSON one as a dict.
        plain = crypto.decrypt_message(envelope, msg_signature, timestamp, nonce)
    except (InvalidSignatureException, InvalidAppIdException):
        raise Rejected(403, "bad msg_signature or appid")
    except Exception:
        raise Rejected(400, "undecryptable")
    return plain if isinstance(plain, str) else plain.decode("utf-8", errors="replace")


def _decode(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "not utf-8")
    no_dtd(text)
    return text
