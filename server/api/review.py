"""The review chain's API (issue 15): queue, actions, an entry in full, withdraw, 我的申报,
the 附件2 sheet job, attachment download."""
from __future__ import annotations

from flask import g, request, send_file
from pydantic import ValidationError as PydanticError

from ..errors import ValidationError
from ..services.review import actions, queue, reading, scans, sheet
from ..services import attachments as attachment_service
from . import bp
from .endpoint import endpoint
from .entry_view import entry_out
from .review_schemas import (ActionIn, ActionsOut, MyEntriesOut, QueueOut, QueueQuery, ReviewEntryOut,
                             ScanForm, ScanQuery, SheetIn, SheetJobOut, WithdrawIn)
from .schemas import EntryOut
from .validation import translate_pydantic_error


@endpoint(bp, "/review/queue", "GET", response=QueueOut, tag="review", errors=(400, 401),
          summary="等我审核的申报（筛选 status、category、industry、unit、unconfirmed；排序 sort/order；分页 page/per_page）", query=QueueQuery)
def review_queue(query: QueueQuery):
    return queue.queue(g.user, season_id=query.season, status=query.status, category=query.category,
                       industry=query.industry, unit=query.unit, unconfirmed=query.unconfirmed, sort=query.sort,
                       order=query.order, page=query.page, per_page=query.per_page)


@endpoint(bp, "/review/actions", "POST", body=ActionIn, response=ActionsOut, tag="review", errors=(400, 401),
          summary="审核操作（推荐、受理、退回、不是本单位、不予推荐、不符合条件、确认本单位），每份申报单独成败")
def review_actions(payload: ActionIn):
    return {"results": actions.act(g.user, payload.action, payload.entry_ids, reason=payload.reason,
                                   fields=payload.fields, rule=payload.rule, reply_by=payload.reply_by)}


@endpoint(bp, "/review/entries/<int:entry_id>", "GET", response=ReviewEntryOut, tag="review", errors=(401, 404),
          summary="一份申报的全部内容、审核状态、历史和疑似重复")
def review_entry(entry_id: int):
    found = reading.detail(g.user, entry_id)
    return {**found, "entry": entry_out(g.user, found["entry"]).model_dump(mode="json")}


@endpoint(bp, "/entries/<int:entry_id>/withdraw", "POST", body=WithdrawIn, response=EntryOut, tag="entries",
          errors=(400, 401, 403, 404, 409), summary="申报人在市级受理前撤回申报")
def withdraw_entry(entry_id: int, payload: WithdrawIn):
    return entry_out(g.user, actions.withdraw(g.user, entry_id, payload.reason))


@endpoint(bp, "/me/entries", "GET", response=MyEntriesOut, tag="entries", errors=(401,),
          summary="我的申报：每一项的状态、退回原因与要修改的字段、截止日")
def my_entries():
    return {"entries": reading.mine(g.user)}


@endpoint(bp, "/review/sheets", "POST", body=SheetIn, response=SheetJobOut, tag="review",
          errors=(400, 401, 403, 404), summary="生成附件2推荐表（format=xlsx 或 docx），或附件3成果简介和附件4带头人简介（format=zip：每项一份 PDF 和 .docx），后台任务")
def request_sheet(payload: SheetIn):
    return sheet.request(g.user, payload.org_id, payload.season_id, payload.level, payload.format), 202


@endpoint(bp, "/review/sheets/<job_id>", "GET", response=SheetJobOut, tag="review", errors=(401, 404),
          summary="推荐表任务的进度")
def sheet_state(job_id: str):
    return sheet.job_state(g.user, job_id)


@endpoint(bp, "/review/sheets/<job_id>/file", "GET", tag="review", errors=(401, 404),
          summary="下载生成好的推荐表（.xlsx / .docx）或附件3/附件4 压缩包（.zip）")
def sheet_file(job_id: str):
    path = sheet.file_for(g.user, job_id)
    fmt = path.suffix.lstrip(".")
    _, mimetype, name, _ = sheet.FORMATS[fmt]
    return send_file(path, as_attachment=True, download_name=name, mimetype=mimetype)


@endpoint(bp, "/attachments/<int:attachment_id>", "GET", tag="entries", errors=(401, 404),
          summary="下载一份申报的附件（能查看这份申报的人才能下载）")
def download_attachment(attachment_id: int):
    path, content_type, filename = attachment_service.readable(g.user, attachment_id)
    return send_file(path, mimetype=content_type, download_name=filename)


@endpoint(bp, "/review/recommendations", "POST", tag="review", errors=(400, 401, 403, 404, 413),
          summary="上传盖章后的附件2推荐表扫描件（multipart：file，org_id，season_id，level）",
          multipart={"file": "扫描件（图片或 PDF）", "org_id": "推荐单位编号", "season_id": "赛季编号",
                     "level": "unit|county|city（可省略，按组织类别）"})
def upload_recommendation_scan(payload=None):
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("errors.file_missing", code="file_missing", field="file")
    try:
        form = ScanForm.model_validate(request.form.to_dict())
    except PydanticError as exc:
        raise translate_pydantic_error(exc, ScanForm)
    rec = scans.upload(g.user, form.org_id, form.season_id, form.level, upload.read(), upload.filename or "scan")
    return {"id": rec.id, "org_id": rec.org_id, "season_id": rec.season_id, "level": rec.level}, 201


@endpoint(bp, "/review/recommendations", "GET", tag="review", errors=(400, 401, 403, 404),
          summary="一个组织本赛季各级的盖章推荐表（?org_id=&season_id=）", query=ScanQuery)
def list_recommendation_scans(query: ScanQuery):
    return {"recommendations": scans.listing(g.user, query.org_id, query.season_id)}


@endpoint(bp, "/review/recommendations/<int:recommendation_id>/scan", "GET", tag="review", errors=(401, 404),
          summary="下载盖章推荐表扫描件")
def recommendation_scan(recommendation_id: int):
    path, content_type, filename = scans.scan_file(g.user, recommendation_id)
    return send_file(path, mimetype=content_type, download_name=filename)
