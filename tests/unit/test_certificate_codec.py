"""The QR payload and its offline check, table-driven: every field changed, a forged or
truncated signature, another season's serial, malformed URLs — each is `invalid`, nothing raises;
a key verifies only what it signed while valid; the signed revocation list."""
from __future__ import annotations

import json
from datetime import date

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.services.certificates import codec

PRIVATE = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
KID = "k1a2b3c4"


def _jwk(private, kid, valid_from="2026-01-01T00:00:00Z", valid_until=None) -> dict:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": kid, "x": codec.b64e(raw),
            "valid_from": valid_from, "valid_until": valid_until}


KEYS = {"keys": [_jwk(PRIVATE, KID)]}
PAYLOAD = codec.Payload(serial="WX2026-3-00012", season_id=3, award="first", holder="张建国",
                        title="皮带输送机自动纠偏装置", issued_on=date(2026, 11, 30))
D = PAYLOAD.encode()
SIG = codec.sign(PRIVATE, KID, D)
BASE = "https://wx.example.cn/verify/WX2026-3-00012"
URL = f"{BASE}?{codec.query_string(D, KID, SIG)}"


def _with_field(index: int, value) -> str:
    body = json.loads(codec.b64d(D))
    body[index] = value
    return codec.b64e(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


def test_a_genuine_url_is_valid_and_short_enough_to_scan_from_print():
    result = codec.verify_url(URL, KEYS)
    assert result.status == "valid" and result.payload == PAYLOAD and result.kid == KID
    long = codec.Payload(serial="WX2026-3-123456", season_id=3, award="excellent", holder="欧阳" * 25,
                         title="很长的项目名称" * 30, issued_on=date(2026, 11, 30))
    d = long.encode()
    url = f"https://wx.jcgh.gov.cn/verify/{long.serial}?" + codec.query_string(d, KID, codec.sign(PRIVATE, KID, d))
    assert len(url) < 400 and codec.verify_url(url, KEYS).status == "valid"
    assert codec.Payload.decode(d).title.endswith("…") and len(codec.Payload.decode(d).title) == codec.TITLE_MAX


TAMPERED = {
    "serial changed": (_with_field(1, "WX2026-3-00013"), "serial_mismatch"),
    "season changed (and serial kept)": (_with_field(2, 4), "other_season"),
    "award changed": (_with_field(3, "special"), "bad_signature"),
    "holder changed": (_with_field(4, "李建国"), "bad_signature"),
    "title changed": (_with_field(5, "皮带输送机自动纠偏装置二"), "bad_signature"),
    "issue date changed": (_with_field(6, "20261201"), "bad_signature"),
    "version changed": (_with_field(0, 2), "malformed_payload"),
    "award unknown": (_with_field(3, "gold"), "malformed_payload"),
    "date not a date": (_with_field(6, "2026-11-30"), "malformed_payload"),
    "date 30 February": (_with_field(6, "20260230"), "malformed_payload"),
    "date month 13": (_with_field(6, "20261301"), "malformed_payload"),
    "date year 0": (_with_field(6, "00000101"), "malformed_payload"),
    "date seven digits": (_with_field(6, "2026113"), "malformed_payload"),
    "payload truncated": (D[:-5], "malformed_payload"),
    "payload not base64": (D[:-1] + "*", "malformed_payload"),
    "payload empty": ("", "malformed_payload"),
    "payload huge": ("A" * 5000, "malformed_payload"),
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_each_changed_payload_field_is_invalid(case):
    d, reason = TAMPERED[case]
    result = codec.check_signature(PAYLOAD.serial, d, KID, SIG, KEYS)
    assert (result.status, result.reason) == ("invalid", reason)


@pytest.mark.parametrize("day", [date(2028, 2, 29), date(2026, 1, 1), date(2026, 12, 31)])
def test_the_issue_date_reads_back_exactly(day):
    signed = codec.Payload(**{**PAYLOAD.__dict__, "issued_on": day})
    d = signed.encode()
    result = codec.check_signature(signed.serial, d, KID, codec.sign(PRIVATE, KID, d), KEYS)
    assert result.status == "valid" and result.payload.issued_on == day


def _other_spelling(last: str) -> str:
    """A base64url character with the same high bits as `last` and other low bits."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    i = alphabet.index(last)
    return alphabet[i ^ 1]


OTHER_SEASON = codec.Payload(serial="WX2026-4-00012", season_id=4, award="first", holder="张建国",
                             title="皮带输送机自动纠偏装置", issued_on=date(2026, 11, 30)).encode()
BAD_URLS = {
    "forged signature (another key)": f"{BASE}?" + codec.query_string(D, KID, codec.sign(OTHER, KID, D)),
    "truncated signature": f"{BASE}?d={D}&k={KID}&sig={SIG[:-4]}",
    "signature one character off": f"{BASE}?d={D}&k={KID}&sig={SIG[:40]}{'A' if SIG[40] != 'A' else 'B'}{SIG[41:]}",
    # the same 64 bytes spelled another way (the last character's 4 unused bits set)
    "signature spelled non-canonically": f"{BASE}?d={D}&k={KID}&sig={SIG[:-1]}{_other_spelling(SIG[-1])}",
    "payload spelled non-canonically": f"{BASE}?d={D[:-1]}{_other_spelling(D[-1])}&k={KID}&sig={SIG}"
    if len(D) % 4 in (2, 3) else f"{BASE}?d={D}=&k={KID}&sig={SIG}",
    "unknown key id": f"{BASE}?d={D}&k=zzzz9999&sig={SIG}",
    "serial in the path of another season": f"https://wx.example.cn/verify/WX2026-4-00012?d={D}&k={KID}&sig={SIG}",
    "payload of another season under its own serial": (
        "https://wx.example.cn/verify/WX2026-4-00012?" + codec.query_string(OTHER_SEASON, KID, SIG)),
    "no query": BASE,
    "sig missing": f"{BASE}?d={D}&k={KID}",
    "sig repeated": f"{URL}&sig={SIG}",
    "query garbage": f"{BASE}?%%%&&==;;d",
    "percent-encoded nonsense": f"{BASE}?d=%FF%FE&k=%00&sig=%E4%B8",
    "not a verify path": f"https://wx.example.cn/other/WX2026-3-00012?d={D}&k={KID}&sig={SIG}",
    "empty": "",
    "very long": URL + "x" * 5000,
    "not even a URL": "\x00\x01 二维码",
}


@pytest.mark.parametrize("case", list(BAD_URLS))
def test_bad_urls_are_invalid_never_an_exception(case):
    assert codec.verify_url(BAD_URLS[case], KEYS).status == "invalid"


def test_a_key_verifies_only_what_it_signed_while_valid():
    retired = {"keys": [_jwk(PRIVATE, KID, valid_until="2026-06-30T00:00:00Z")]}
    assert codec.verify_url(URL, retired).reason == "key_not_valid_then"          # signed after retirement
    early = codec.Payload(**{**PAYLOAD.__dict__, "issued_on": date(2026, 5, 2)})
    d = early.encode()
    assert codec.check_signature(early.serial, d, KID, codec.sign(PRIVATE, KID, d), retired).status == "valid"
    future = {"keys": [_jwk(PRIVATE, KID, valid_from="2027-01-01T00:00:00Z")]}
    assert codec.verify_url(URL, future).reason == "key_not_valid_then"
    assert codec.verify_url(URL, {"keys": "nonsense"}).reason == "unknown_key"
    assert codec.verify_url(URL, {}).reason == "unknown_key"


def test_the_signed_revocation_list():
    revoked = codec.sign_document(PRIVATE, KID, {"issued_at": "2026-12-01T00:00:00Z", "revoked": [
        {"serial": "WX2026-3-00012", "revoked_at": "2026-12-01T00:00:00Z", "reason": "经复核不符合条件"}]})
    result = codec.verify_url(URL, KEYS, revoked)
    assert result.status == "revoked" and result.revoked["reason"] == "经复核不符合条件"
    assert codec.verify_url(URL, KEYS, codec.sign_document(PRIVATE, KID, {"revoked": []})).status == "valid"
    forged = dict(revoked, revoked=[])                 # someone removed the row: the signature breaks
    assert codec.verify_url(URL, KEYS, forged).reason == "revocation_list_not_signed"
    assert codec.verify_url(URL, KEYS, {"revoked": []}).reason == "revocation_list_not_signed"
