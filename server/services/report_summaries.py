"""Half-year and full-year summaries (半年/全年总结, RULES.md "Forms"; issue 18 item 4): a unit
files the text and one attachment (the stamped summary: PDF or a photo of it), once per unit and
period — "YYYY-H1", "YYYY-H2" or "YYYY" — and not before the period's last month. Audited; the
levels above list them and download the attachment. Nothing is stored unless every field passes.

    file_summary(user, org_id, values, upload) -> UnitReport    (FieldProblems, Conflict 409)
    summaries_for(user, org_id) -> list[UnitReport]
    attachment_of(user, report_id) -> (path, content type, filename)
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..config import INSTANCE_DIR
from ..errors import AppError, Conflict, NotFound
from ..extensions import db
from ..models import Attachment, Organisation, UnitReport, User
from ..texts import t
from ..timeutil import china_today, utcnow
from . import policy
from .attachments import keep_file
from .audit import record
from .entries import FieldProblems

KINDS = ("half_year", "year")
MIN_TEXT, MAX_TEXT = 20, 5000
_PATTERNS = {"half_year": re.compile(r"^(\d{4})-H([12])$"), "year": re.compile(r"^(\d{4})$")}
_SAID = [(re.compile(r"^(\d{4})\s*年?\s*上半年(度)?$"), "{0}-H1"), (re.compile(r"^(\d{4})\s*年?\s*下半年(度)?$"), "{0}-H2"),
         (re.compile(r"^(\d{4})\s*年?\s*(度|全年)?$"), "{0}")]


def read_period(kind: str, raw) -> str | None:
    """"2026-H1" / "2026年上半年" → "2026-H1"; "2026" / "2026年度" → "2026"; None when unread or
    when it does not fit the kind."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().upper().replace("h", "H")
    if not _PATTERNS[kind].match(text):
        for pattern, shape in _SAID:
            match = pattern.match(raw.strip())
            if match:
                text = shape.format(match.group(1))
                break
    return text if _PATTERNS[kind].match(text) else None


def last_month(period: str) -> str:
    year, _, half = period.partition("-H")
    return f"{year}-{'06' if half == '1' else '12'}"


def file_summary(user: User, org_id, values: dict, upload: tuple[bytes, str] | None) -> UnitReport:
    org = db.session.get(Organisation, org_id) if isinstance(org_id, int) and 0 < org_id < 2 ** 31 else None
    if org is None or org.kind != "unit":
        raise NotFound("reports.unit_not_found", code="unit_not_found")
    policy.require(user, "report.file", org)
    problems: list[dict] = []

    def bad(field: str, key: str, **params) -> None:
        problems.append({"field": field, "message": t(key, **params)})

    kind = values.get("kind")
    period = None
    if kind not in KINDS:
        bad("kind", "reports.summary.errors.kind")
    else:
        period = read_period(kind, values.get("period"))
        if period is None:
            bad("period", f"reports.summary.errors.period_{kind}")
        elif last_month(period) > china_today().strftime("%Y-%m"):
            bad("period", "reports.summary.errors.too_early", month=last_month(period).replace("-", "年") + "月")
    text = values.get("summary")
    text = text.strip() if isinstance(text, str) else ""
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        bad("summary", "reports.summary.errors.text", min=MIN_TEXT, max=MAX_TEXT, length=len(text))
    attachment = None
    if upload is None or not upload[0]:
        bad("file", "reports.summary.errors.file")
    elif not problems:
        try:
            attachment = keep_file(user, upload[0], upload[1], "other")
        except AppError as exc:
            bad("file", exc.message_key, **exc.params)
    if problems:
        db.session.rollback()
        raise FieldProblems(problems, "errors.invalid_fields_none_saved")
    db.session.flush()
    report = UnitReport(org_id=org.id, org=org, kind=kind, period=period, summary=text, attachment_id=attachment.id,
                        created_by_id=user.id, filed_at=utcnow(), unit_chosen=True)
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("reports.summary.errors.duplicate", code="report_duplicate", field="period",
                       unit=org.name, period=label(kind, period))
    record(user, "report_filed", "unit_report", report.id, data={"org_id": org.id, "kind": kind, "period": period})
    db.session.commit()
    return report


def label(kind: str, period: str) -> str:
    year, _, half = period.partition("-H")
    return t(f"reports.summary.period_label_{'h' + half if half else 'year'}", year=year)


def summaries_for(user: User, org_id: int) -> list[UnitReport]:
    org = db.session.get(Organisation, org_id) if 0 < org_id < 2 ** 31 else None
    if org is None:
        raise NotFound("reports.unit_not_found", code="unit_not_found")
    policy.require(user, "report.view", org)
    units = select(Organisation.id).where(Organisation.path.startswith(org.path, autoescape=True))
    return list(db.session.scalars(select(UnitReport).where(
        UnitReport.org_id.in_(units), UnitReport.kind.in_(KINDS), UnitReport.filed_at.is_not(None))
        .order_by(UnitReport.period.desc(), UnitReport.org_id)))


def attachment_of(user: User, report_id: int):
    report = db.session.get(UnitReport, report_id) if 0 < report_id < 2 ** 31 else None
    if report is None or report.attachment_id is None or not policy.can(user, "report.view", report.org):
        raise NotFound("reports.summary.errors.not_found", code="summary_not_found")
    a = db.session.get(Attachment, report.attachment_id)
    return INSTANCE_DIR / a.storage_key, a.content_type, a.filename
