from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .entry import Entry


class Conversation(db.Model):
    """Where a user stands in a guided flow; saved with the flow's subject in one transaction.

    `flow` is a key of the flow registry (message_templates/zh_CN/flows.yaml). Its subject is
    the record the answers go to: for flows whose target is an entry, `entry_id` (a foreign key,
    so a turn loads the draft in the same query as the conversation); for other targets
    `subject_id` (a farmer, a score sheet, a monthly report), read by the target."""
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"))
    flow: Mapped[str | None] = mapped_column(String(40))            # None when no flow is open
    subject_id: Mapped[int | None] = mapped_column(Integer)
    step: Mapped[str | None] = mapped_column(String(40))            # field being asked, "confirm", or None
    item: Mapped[int | None] = mapped_column(Integer)               # in a loop: which item's steps
    history: Mapped[list] = mapped_column(JSON, default=list)       # positions answered, for 返回
    skipped: Mapped[list] = mapped_column(JSON, default=list)       # optional positions skipped for now
    failures: Mapped[int] = mapped_column(Integer, default=0)       # failed tries at this step
    pending: Mapped[str | None] = mapped_column(String(20))         # a command awaiting 是/否, or "answer"
    # What the engine remembers between turns besides the position (migration 0008):
    #   "confirm": {"pos", "raw", "text"}  the answer awaiting 是/否 when pending == "answer"
    #   "shortlist": {"pos", "labels"}     options shown with a message (a search), picked by number
    #   "prefilled": [pos, ...]            steps filled for the person, not asked (not counted as steps)
    state: Mapped[dict | None] = mapped_column(JSON, default=dict)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    entry: Mapped[Entry | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
