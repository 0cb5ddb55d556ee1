from flask import g, request

from ..errors import ValidationError
from ..services import dialogue as dialogue_service
from . import bp
from .endpoint import endpoint
from .schemas import DialogueOut, MessageIn


def _out(result) -> DialogueOut:
    return DialogueOut(
        replies=[{"text": r.text, "options": r.options} for r in result.replies],
        state={"flow": result.flow, "step": result.step, "done": result.done, "progress": result.progress},
        entry_id=result.entry_id)


@endpoint(bp, "/dialogue", "GET", response=DialogueOut, tag="dialogue",
          summary="当前待回答的问题（隔几天或换设备后继续）", errors=(401,))
def dialogue_current():
    return _out(dialogue_service.current(g.user))


@endpoint(bp, "/dialogue/messages", "POST", body=MessageIn, response=DialogueOut, tag="dialogue",
          summary="发一条消息给申报助手；照片步骤可用 multipart 上传 image",
          errors=(400, 401, 409, 413), multipart={"image": "照片或配套材料图片"})
def dialogue_message(payload: MessageIn | None):
    if payload is None:
        image = request.files.get("image") or request.files.get("file")
        if image is None:
            raise ValidationError("errors.file_missing", code="file_missing", field="image")
        return _out(dialogue_service.send_image(g.user, image.read(), image.filename or "image"))
    return _out(dialogue_service.send_text(g.user, payload.text))
