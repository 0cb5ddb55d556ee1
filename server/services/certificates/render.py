"""A certificate drawn from its register row: the layout and wording of certificate.yaml on a
PDF surface (print: A4 landscape, vector, CJK font embedded) or a PNG surface (phones: 200 dpi,
well under 1 MB). Issuers and seals are the season's setting "certificate.issuers"
([{"name", "seal": image path or absent}], demo default in certificate.yaml); the competition
title is "certificate.title". Long entry titles wrap inside the frame and, past max_lines,
the text gets smaller."""
from __future__ import annotations

import logging
import math
import os
from functools import lru_cache
from pathlib import Path

import qrcode
from flask import current_app

from ...config import INSTANCE_DIR
from ...extensions import db
from ...models import Certificate, Season
from ...texts import lookup
from .issue import url_for
from .surfaces import PAGE_W, PT, PdfSurface, PngSurface, star_points

log = logging.getLogger(__name__)
PNG_DPI = 200
SEAL_RED = "#D42A2A"
SEAM = 0.03          # mm
CLOSING, OPENING = "，。、；：！？”’）》」", "“‘（《「"


QR_MASK = 4


@lru_cache(maxsize=64)
def qr_matrix(url: str) -> list[list[bool]]:
    """One fixed mask pattern: choosing the best of eight (qrcode's default) scores each in pure
    Python and took 40% of a PNG's time; any mask decodes (the scan-back tests decode every
    certificate they draw), and on a random-looking signed URL the eight score alike."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def wrap(surface, text: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if surface.measure(line + ch, size) > width and line:
            if ch in CLOSING:                 # no closing punctuation at a line's start
                line, ch = line[:-1], line[-1] + ch
            while len(line) > 1 and line[-1] in OPENING:     # nor an opening one at its end
                line, ch = line[:-1], line[-1] + ch
            lines.append(line)
            line = ch
        else:
            line += ch
    return lines + ([line] if line else [])


def facts(cert: Certificate) -> dict:
    season = db.session.get(Season, cert.season_id)
    cfg = lookup("certificate")
    issuers = season.setting("certificate.issuers") or cfg["default_issuers"]
    return {"serial": cert.serial, "holder": cert.holder_name, "title": cert.title, "holder_kind": cert.holder_kind,
            "award": cfg["awards"][cert.award], "season": season.name,
            "competition": season.setting("certificate.title") or cfg["competition_title"],
            "issuers": [{"name": i["name"], "seal": i.get("seal")} for i in issuers],
            "date": f"{cert.issued_on.year}年{cert.issued_on.month}月{cert.issued_on.day}日",
            "url": url_for(cert, current_app.config["PUBLIC_BASE_URL"])}


def _centered(s, text: str, y: float, size: float, color: str, cx: float = PAGE_W / 2) -> None:
    s.text(cx - s.measure(text, size) / 2, y, text, size, color)


def _seal(s, issuer: dict, cx: float, cy: float, d: float) -> None:
    if issuer.get("seal") and Path(issuer["seal"]).is_file():
        try:
            s.image(issuer["seal"], cx - d / 2, cy - d / 2, d, d)
            return
        except (OSError, ValueError, RuntimeError) as exc:   # not an image: draw the seal instead
            log.warning("seal image %s unusable: %s", issuer["seal"], exc)
    r = d / 2                                         # a drawn seal: ring, the name on an arc, star
    s.circle(cx, cy, r, SEAL_RED, 0.9)
    s.circle(cx, cy, r - 1.1, SEAL_RED, 0.25)
    s.polygon(star_points(cx, cy, r * 0.3), SEAL_RED)
    name = issuer["name"]
    span = min(250.0, 26.0 * len(name))               # degrees of arc the name takes, over the top
    pitch = math.radians(span) * (r - 3.2) / max(len(name), 1)
    size = min(10.0, pitch * 0.85 / PT)
    step = span / max(len(name) - 1, 1)
    for i, ch in enumerate(name):
        theta = -90 - span / 2 + i * step if len(name) > 1 else -90
        rad = math.radians(theta)
        s.glyph(cx + (r - 3.2) * math.cos(rad), cy + (r - 3.2) * math.sin(rad), ch, size, SEAL_RED,
                -(theta + 90))


def compose(s, f: dict) -> None:
    lay, text = lookup("certificate.layout"), lookup("certificate.text")
    if f.get("holder_kind") == "org":            # a unit's award: no entry title, a unit addressed
        text = {**text, **lookup("certificate.text_org")}
    ink = lay["font_color"]
    fr = lay["frame"]
    s.rect(fr["margin"], fr["margin"], PAGE_W - 2 * fr["margin"], 210 - 2 * fr["margin"], fr["color"], 1.6)
    s.rect(fr["inner"], fr["inner"], PAGE_W - 2 * fr["inner"], 210 - 2 * fr["inner"], fr["inner_color"], 0.4)
    for x in (fr["inner"] + 4, PAGE_W - fr["inner"] - 4):      # corner stars
        for y in (fr["inner"] + 4, 210 - fr["inner"] - 4):
            s.polygon(star_points(x, y, 2.2), fr["color"])
    h = lay["heading"]
    _centered(s, text["heading"], h["y"], h["size"], h["color"])
    c = lay["competition"]
    _centered(s, f["competition"], c["y"], c["size"], c["color"])
    ho = lay["holder"]
    greeting, holder_size = text["holder"].format(holder=f["holder"]), ho["size"]
    while s.measure(greeting, holder_size) > lay["body"]["width"] and holder_size > 11:   # a long unit name
        holder_size -= 1
    s.text(ho["x"], ho["y"], greeting, holder_size, ink)
    b = lay["body"]
    body = text["body"].format(title=f["title"], season=f["season"])
    size = b["size"]
    lines = wrap(s, "　　" + body, size, b["width"])
    while (len(lines) > b["max_lines"] or (len(lines) > 1 and len(lines[-1]) <= 2)) and size > 10:
        size -= 1
        lines = wrap(s, "　　" + body, size, b["width"])
    line_h = b["line"] * size / b["size"]
    if len(lines) > b["max_lines"]:                    # the title alone is beyond any size: cut it
        lines = lines[:b["max_lines"]]
        lines[-1] = lines[-1][:-2] + "……"
    for i, line in enumerate(lines):
        s.text(b["x"], b["y"] + i * line_h, line, size, ink)
    a = lay["award"]                                   # close under the text, at most at its place
    award_y = min(a["y"], b["y"] + (len(lines) - 1) * line_h + a["gap"])
    _centered(s, text["award"].format(award=f["award"]), award_y, a["size"], a["color"])
    cl = lay["closing"]
    s.text(cl["x"], cl["y"], text["closing"], cl["size"], ink)
    _issuers(s, f, lay["issuers"], lay["date"], text, ink)
    q = lay["qr"]
    matrix = qr_matrix(f["url"])
    if hasattr(s, "qr_pixels"):
        s.qr_pixels(matrix, q["x"], q["y"], q["size"])
    else:
        m = q["size"] / len(matrix)
        for r, row in enumerate(matrix):              # vector: one rectangle per run of dark modules
            col = 0
            while col < len(row):
                if row[col]:
                    start = col
                    while col < len(row) and row[col]:
                        col += 1
                    # a hair's overlap so that no seam shows between neighbouring rows when rasterised
                    s.rect(q["x"] + start * m, q["y"] + r * m, (col - start) * m + SEAM, m + SEAM, "#000000")
                col += 1
    sc = lay["scan"]
    s.text(sc["x"], sc["y"], text["scan"], sc["size"], ink)
    se = lay["serial"]
    s.text(se["x"], se["y"], text["serial"].format(serial=f["serial"]), se["size"], ink)


def _issuers(s, f, iss, dt, text, ink) -> None:
    names = [i["name"] for i in f["issuers"]]
    widths = [max(s.measure(n, iss["size"]), iss["seal"] * 0.9) for n in names]
    total = sum(widths) + iss["gap"] * (len(names) - 1)
    x = iss["right"] - total
    centres = []
    for name, w in zip(names, widths):
        s.text(x + (w - s.measure(name, iss["size"])) / 2, iss["y"], name, iss["size"], ink)
        centres.append(x + w / 2)
        x += w + iss["gap"]
    for issuer, cx in zip(f["issuers"], centres):      # seals over the names, as stamped
        _seal(s, issuer, cx, iss["y"] - iss["seal"] * 0.28, iss["seal"])
    _centered(s, text["date"].format(date=f["date"]), dt["y"], dt["size"], ink,
              cx=iss["right"] - total / 2)


def _chars(f: dict) -> set[int]:
    """Every character the page may show: the facts and the wording."""
    words = [str(v) for v in f.values() if isinstance(v, (str, int))]
    words += [i["name"] for i in f["issuers"]] + list(lookup("certificate.text").values())
    words += list(lookup("certificate.text_org").values())
    return {ord(c) for c in "".join(words)} | {ord(c) for c in "0123456789"}


def pdf(cert: Certificate) -> bytes:
    f = facts(cert)
    surface = PdfSurface(_chars(f))
    compose(surface, f)
    return surface.output()


def png(cert: Certificate) -> bytes:
    surface = PngSurface(PNG_DPI)
    compose(surface, facts(cert))
    return surface.output()


# -- stored renders ----------------------------------------------------------------------------
# A certificate's files are drawn once (by the issuing run's render jobs, or on the first
# download) and kept under instance/certificates/, like attachments. What they show never
# changes after issue (the row is a snapshot), so the file is the certificate.
RENDERERS = {"pdf": pdf, "png": png}


def stored_path(serial: str, fmt: str) -> Path:
    return INSTANCE_DIR / "certificates" / f"{serial}.{fmt}"


def stored(cert: Certificate, fmt: str) -> bytes:
    """The certificate's file, drawn and kept the first time it is asked for."""
    path = stored_path(cert.serial, fmt)
    if path.exists():
        return path.read_bytes()
    data = RENDERERS[fmt](cert)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)                 # atomic: a concurrent render writes the same bytes
    return data


def render_files(certificate_ids: list[int]) -> int:
    """Draw and keep both files of each certificate (an RQ job's work; safe to run twice)."""
    done = 0
    for cert_id in certificate_ids:
        cert = db.session.get(Certificate, cert_id)
        if cert is None:
            continue
        for fmt in RENDERERS:
            stored(cert, fmt)
        done += 1
    return done
