"""Stored files: type and size checked by content (not by name), stored by their SHA-256
under instance/uploads, so the same picture sent twice is kept once."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from ..config import INSTANCE_DIR
from ..errors import ValidationError
from ..extensions import db
from ..models import Attachment, Entry, User
from .audit import record
from ..forms.values import ensure_leader

MAX_BYTES = 10 * 1024 * 1024
KINDS = ("photo", "image", "chart", "certificate", "other")
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
MIN_SIDE = 100


@dataclass
class Stored:
    attachment: Attachment
    portrait: bool | None


def _sniff(content: bytes, kind: str) -> tuple[str, int | None, int | None]:
    if content.startswith(b"%PDF-") and kind != "photo":
        return "application/pdf", None, None
    try:
        with Image.open(io.BytesIO(content)) as img:
            fmt, (w, h) = img.format, img.size
            img.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError("errors.file_type", code="bad_file_type", field="file")
    if fmt not in IMAGE_FORMATS:
        raise ValidationError("errors.file_type", code="bad_file_type", field="file")
    if min(w, h) < MIN_SIDE:
        raise ValidationError("errors.image_too_small", code="image_too_small", field="file", min=MIN_SIDE)
    return IMAGE_FORMATS[fmt], w, h


def store(user: User, entry: Entry, content: bytes, filename: str, kind: str) -> Stored:
    if kind not in KINDS:
        raise ValidationError("errors.attachment_kind", code="bad_kind", field="kind", kinds="、".join(KINDS))
    attachment = keep_file(user, content, filename, kind)
    if kind == "photo":
        attachment.person_id = ensure_leader(entry).id if entry.leader_id else _flush_leader(entry)
    else:
        attachment.entry_id = entry.id
    db.session.flush()
    record(user, "attachment_added", "entry", entry.id, data={"attachment": attachment.id, "kind": kind})
    portrait = (attachment.height > attachment.width) if kind == "photo" and attachment.width else None
    return Stored(attachment, portrait)


def keep_file(user: User, content: bytes, filename: str, kind: str) -> Attachment:
    """Check (by content) and store a file; an Attachment of no entry yet, added to the session."""
    if not content:
        raise ValidationError("errors.file_empty", code="file_empty", field="file")
    if len(content) > MAX_BYTES:
        raise ValidationError("errors.file_too_large", code="file_too_large", field="file", max_mb=MAX_BYTES // 2**20)
    content_type, width, height = _sniff(content, kind)
    digest = hashlib.sha256(content).hexdigest()
    key = f"uploads/{digest[:2]}/{digest}"
    path = INSTANCE_DIR / key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(content)
        tmp.replace(path)
    attachment = Attachment(kind=kind, filename=(filename or "upload")[:200], content_type=content_type,
                            size=len(content), sha256=digest, storage_key=key, width=width, height=height,
                            uploaded_by_id=user.id)
    db.session.add(attachment)
    return attachment


def _flush_leader(entry: Entry) -> int:
    leader = ensure_leader(entry)
    db.session.flush()
    return leader.id


def upload(user: User, entry_id: int, content: bytes, filename: str, kind: str) -> Stored:
    """Form mode: store a file on my draft and commit (errors as in `store`; 409 when the
    entry is no longer editable)."""
    from .entries import get_editable
    stored = store(user, get_editable(user, entry_id), content, filename, kind)
    db.session.commit()
    return stored


def readable(user: User, attachment_id: int):
    """(path, content type, filename) of an attachment whose entry the user may see, or whose
    entry the user reviews now; 404 otherwise (its existence is not revealed)."""
    from ..errors import NotFound
    from .review.reading import visible_entry
    attachment = db.session.get(Attachment, attachment_id)
    entry_id = attachment.entry_id if attachment is not None else None
    if attachment is not None and entry_id is None and attachment.person_id is not None:
        entry_id = db.session.scalar(select(Entry.id).where(Entry.leader_id == attachment.person_id).limit(1))
    if attachment is None or entry_id is None:
        raise NotFound("errors.attachment_not_found", code="attachment_not_found")
    try:
        visible_entry(user, entry_id)
    except NotFound:
        raise NotFound("errors.attachment_not_found", code="attachment_not_found")
    from .scoring import blind_attachment_name
    filename = blind_attachment_name(user, entry_id, attachment)
    if filename is None:
        raise NotFound("errors.attachment_not_found", code="attachment_not_found")
    return INSTANCE_DIR / attachment.storage_key, attachment.content_type, filename
