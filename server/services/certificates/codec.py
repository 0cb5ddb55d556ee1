"""The QR code's content and its offline check — pure functions, no Flask, no database, no
network, so `flask certificates verify` and `scripts/verify_certificate.py` run them anywhere.

A certificate's URL is PUBLIC_BASE_URL/verify/{serial}?d={payload}&k={kid}&sig={signature}:
- d: base64url (no padding) of the compact JSON array
  [1, serial, season_id, award, holder, title, "YYYYMMDD"] (holder and title cut to HOLDER_MAX and
  TITLE_MAX characters: with a 25-character host the whole URL stays under 400 characters). For
  a unit's award (winning_unit, organisation) the holder is the unit and the title is empty:
  the award names the holder's kind, and the serial carries U or Z before the unit's id;
- k: the signing key's id; sig: base64url of the Ed25519 signature of b"wxcert1." + k + b"." + d.
The public keys document lists every key with its validity; a key verifies only what it signed
while valid. The revocation list is a JSON object signed the same way (see `verify_revocations`)."""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
TITLE_MAX = 24
HOLDER_MAX = 20           # with TITLE_MAX: the whole URL stays under 400 characters
ENTRY_AWARDS = ("special", "first", "second", "third", "excellent")
# A unit holds these (holder: the unit's name, title empty): 优胜单位 and 优秀组织奖.
ORG_AWARDS = ("winning_unit", "organisation")
AWARDS = ENTRY_AWARDS + ORG_AWARDS
ORG_SERIAL_LETTER = {"winning_unit": "U", "organisation": "Z"}
# WX{year}-{season}-{number}: an entry's id, or U/Z and the unit's id; R{n}: the n-th replacement.
SERIAL_RE = re.compile(r"^WX(\d{4})-(\d{1,6})-([UZ]?\d{5,9})(?:R(\d{1,2}))?$")
KID_RE = re.compile(r"^[A-Za-z0-9_-]{4,16}$")
B64_RE = re.compile(r"^[A-Za-z0-9_-]+$")
DAY_RE = re.compile(r"\d{8}")
MAX_PAYLOAD = 400           # characters of d
URL_MAX = 1000
ONE_DAY = timedelta(days=1)


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    if not B64_RE.match(text or "") or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if b64e(raw) != text:      # the last character's unused bits set: another spelling of the same bytes
        raise ValueError("not canonical base64url")
    return raw


def make_serial(year: int, season_id: int, number: int, letter: str = "", generation: int = 0) -> str:
    return f"WX{year:04d}-{season_id}-{letter}{number:05d}" + (f"R{generation}" if generation else "")


def holder_kind(award: str) -> str:
    """Who an award's certificate names: an entry's leader (person) or a unit (org)."""
    return "org" if award in ORG_AWARDS else "person"


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def short_title(title: str) -> str:
    return shorten(title, TITLE_MAX)


@dataclass(frozen=True)
class Payload:
    serial: str
    season_id: int
    award: str
    holder: str
    title: str
    issued_on: date

    def encode(self) -> str:
        body = [VERSION, self.serial, self.season_id, self.award, shorten(self.holder, HOLDER_MAX),
                short_title(self.title),
                self.issued_on.strftime("%Y%m%d")]
        return b64e(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    @classmethod
    def decode(cls, d: str) -> "Payload":
        """Raise ValueError for anything that is not a well-formed version-1 payload."""
        if not d or len(d) > MAX_PAYLOAD:
            raise ValueError("payload length")
        try:
            body = json.loads(b64d(d).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError("payload not JSON") from exc
        if not (isinstance(body, list) and len(body) == 7 and body[0] == VERSION):
            raise ValueError("payload shape")
        _, serial, season_id, award, holder, title, day = body
        if not (isinstance(serial, str) and SERIAL_RE.match(serial) and type(season_id) is int
                and award in AWARDS and isinstance(holder, str) and 0 < len(holder) <= HOLDER_MAX
                and isinstance(title, str) and len(title) <= TITLE_MAX and isinstance(day, str)
                and DAY_RE.fullmatch(day)):
            raise ValueError("payload fields")
        match = SERIAL_RE.match(serial)
        if int(match.group(2)) != season_id:
            raise ValueError("serial of another season")
        letter = match.group(3)[0] if not match.group(3)[0].isdigit() else ""
        if letter != ORG_SERIAL_LETTER.get(award, "") or (award in ORG_AWARDS and title):
            raise ValueError("payload fields: award, serial and holder kind disagree")
        # date() refuses a month 13 or a 30 February with ValueError, as strptime did, at a
        # fraction of strptime's cost (it was a tenth of an online check's signature work).
        return cls(serial, season_id, award, holder, title, date(int(day[:4]), int(day[4:6]), int(day[6:])))


def signed_message(kid: str, d: str) -> bytes:
    return f"wxcert{VERSION}.{kid}.{d}".encode("ascii")


def sign(private: Ed25519PrivateKey, kid: str, d: str) -> str:
    return b64e(private.sign(signed_message(kid, d)))


def query_string(d: str, kid: str, sig: str) -> str:
    return f"d={d}&k={kid}&sig={sig}"


# -- checking --------------------------------------------------------------------------------
@dataclass
class Result:
    status: str                      # valid | revoked | invalid
    reason: str = ""                 # machine word for invalid/revoked: bad_signature, unknown_key, ...
    payload: Payload | None = None
    kid: str | None = None
    revoked: dict = field(default_factory=dict)


def parse_query(query: dict[str, list[str]]) -> tuple[str, str, str]:
    """d, k, sig each exactly once and well-formed; ValueError otherwise."""
    values = []
    for name in ("d", "k", "sig"):
        got = query.get(name) or []
        if len(got) != 1:
            raise ValueError(f"{name} missing or repeated")
        values.append(got[0])
    d, kid, sig = values
    if not KID_RE.match(kid) or not B64_RE.match(sig) or len(sig) != 86:
        raise ValueError("kid or signature malformed")
    return d, kid, sig


def _key_index(keys_doc: dict) -> dict[str, dict]:
    out = {}
    for key in (keys_doc or {}).get("keys", []):
        if isinstance(key, dict) and key.get("crv") == "Ed25519" and isinstance(key.get("kid"), str):
            out[key["kid"]] = key
    return out


@lru_cache(maxsize=64)
def _day(text: str | None) -> date | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date() if text else None


@lru_cache(maxsize=64)
def _public_key(x: str) -> Ed25519PublicKey:
    """A published key's bytes made into a key object once per process and key (the server
    checks every scan against the same few keys). ValueError for bytes that are no key."""
    return Ed25519PublicKey.from_public_bytes(b64d(x))


def check_signature(serial: str, d: str, kid: str, sig: str, keys_doc: dict) -> Result:
    """Valid when the payload is well-formed, names this serial, and is signed by a published
    key that was valid on the issue date. Never raises for bad input."""
    try:
        payload = Payload.decode(d)
    except ValueError as exc:
        return Result("invalid", "malformed_payload" if "season" not in str(exc) else "other_season")
    if payload.serial != serial:
        return Result("invalid", "serial_mismatch", payload, kid)
    key = _key_index(keys_doc).get(kid)
    if key is None:
        return Result("invalid", "unknown_key", payload, kid)
    try:
        _public_key(key["x"]).verify(b64d(sig), signed_message(kid, d))
    except (ValueError, InvalidSignature, KeyError, TypeError):
        return Result("invalid", "bad_signature", payload, kid)
    # The issue date is a China date, the validity UTC instants: a day's slack either side.
    start, end = _day(key.get("valid_from")), _day(key.get("valid_until"))
    if (start and payload.issued_on < start - ONE_DAY) or (end and payload.issued_on > end + ONE_DAY):
        return Result("invalid", "key_not_valid_then", payload, kid)
    return Result("valid", "", payload, kid)


def canonical(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_document(private: Ed25519PrivateKey, kid: str, body: dict) -> dict:
    """A JSON document signed over its canonical form: {..., "kid", "sig"}."""
    body = dict(body, kid=kid)
    return dict(body, sig=b64e(private.sign(canonical(body))))


def verify_document(doc: dict, keys_doc: dict) -> bool:
    try:
        body = {k: v for k, v in doc.items() if k != "sig"}
        key = _key_index(keys_doc)[body["kid"]]
        Ed25519PublicKey.from_public_bytes(b64d(key["x"])).verify(b64d(doc["sig"]), canonical(body))
        return True
    except (KeyError, ValueError, TypeError, AttributeError, InvalidSignature):
        return False


def verify_url(url: str, keys_doc: dict, revocations: dict | None = None) -> Result:
    """The offline check of a scanned URL against a copy of the public keys (and, when given,
    a copy of the signed revocation list)."""
    if not isinstance(url, str) or len(url) > URL_MAX:
        return Result("invalid", "malformed_url")
    try:
        parts = urlsplit(url.strip())
        match = re.fullmatch(r".*/verify/([^/?#]+)", parts.path)
        if not match:
            return Result("invalid", "malformed_url")
        d, kid, sig = parse_query(parse_qs(parts.query, keep_blank_values=True))
    except ValueError:
        return Result("invalid", "malformed_url")
    result = check_signature(match.group(1), d, kid, sig, keys_doc)
    if result.status == "valid" and revocations is not None:
        if not verify_document(revocations, keys_doc):
            return Result("invalid", "revocation_list_not_signed", result.payload, kid)
        for row in revocations.get("revoked", []):
            if isinstance(row, dict) and row.get("serial") == result.payload.serial:
                return Result("revoked", "revoked", result.payload, kid, revoked=row)
    return result
