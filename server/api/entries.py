from flask import g, request

from ..errors import ValidationError
from ..services import attachments as attachment_service
from ..services import entries as entry_service
from . import bp
from .endpoint import endpoint
from .entry_view import entry_out, flatten
from .schemas import AttachmentCreatedOut, EntryListOut, EntryOut, EntryPatchIn


@endpoint(bp, "/entries", "GET", response=EntryListOut, tag="entries",
          summary="我的申报（本人填写、代农户申报、或以我为带头人/农户的）", errors=(401,))
def list_entries():
    return EntryListOut(entries=[entry_out(g.user, e) for e in entry_service.my_entries(g.user)])


@endpoint(bp, "/entries", "POST", body=EntryPatchIn, response=EntryOut, tag="entries",
          summary="新建申报草稿（可同时带上字段，规则与对话相同）", errors=(400, 401, 404), success=201)
def create_entry(payload: EntryPatchIn):
    return entry_out(g.user, entry_service.create(g.user, flatten(payload.model_dump()))), 201


@endpoint(bp, "/entries/<int:entry_id>", "GET", response=EntryOut, tag="entries",
          summary="查看一份申报", errors=(401, 404))
def get_entry(entry_id: int):
    return entry_out(g.user, entry_service.get_entry(g.user, entry_id))


@endpoint(bp, "/entries/<int:entry_id>", "PATCH", body=EntryPatchIn, response=EntryOut, tag="entries",
          summary="修改草稿的字段（合格的字段保存，不合格的在 problems 中说明）", errors=(400, 401, 403, 404, 409))
def patch_entry(entry_id: int, payload: EntryPatchIn):
    return entry_out(g.user, entry_service.update(g.user, entry_id, flatten(payload.model_dump())))


@endpoint(bp, "/entries/<int:entry_id>/submit", "POST", response=EntryOut, tag="entries",
          summary="正式提交（全部规则再检查一遍；不在申报期则保持草稿）", errors=(401, 403, 404, 409, 422))
def submit_entry(entry_id: int):
    return entry_out(g.user, entry_service.submit_draft(g.user, entry_id))


@endpoint(bp, "/entries/<int:entry_id>/attachments", "POST", response=AttachmentCreatedOut, tag="entries",
          summary="上传带头人照片或配套材料（multipart：file，kind=photo|image|chart|certificate|other）",
          errors=(400, 401, 403, 404, 409, 413), multipart={"file": "文件", "kind": "photo|image|chart|certificate|other"},
          success=201)
def upload_attachment(entry_id: int, payload=None):
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("errors.file_missing", code="file_missing", field="file")
    stored = attachment_service.upload(g.user, entry_id, upload.read(), upload.filename or "upload",
                                       request.form.get("kind", "image"))
    a = stored.attachment
    from ..texts import t
    hint = t("dialogue.photo_not_portrait") if stored.portrait is False else None
    return AttachmentCreatedOut(id=a.id, kind=a.kind, filename=a.filename, content_type=a.content_type,
                                size=a.size, width=a.width, height=a.height, hint=hint), 201

