"""The phone's scoring flow (flows.yaml `expert_scoring`): the target of the dialogue engine that
loops over the expert's open assignments, one score sheet per entry, on the season's rubric.
Answers wait on the panel seat (`draft`) until a sheet is whole; it is then saved through the
same service as the API (scoring.save: conflicts, phase, bands, audit)."""
from __future__ import annotations

from sqlalchemy import select

from ..dialogue import flows, targets
from ..dialogue.targets import Completion
from ..extensions import db
from ..forms.catalogue import Step
from ..forms.rubric import CRITERIA, rubric_for
from ..forms.types import Context, parse_answer
from ..models import Conversation, Entry, Expert, PanelSeat, Score, User
from ..texts import lookup
from ..timeutil import china_today
from . import scoring

FLOW = "expert_scoring"
_ITEMS = "scoring_dialogue.items"


class Cursor:
    """What the rubric answer types read (forms/rubric.py): the entry being scored now."""

    def __init__(self, target: "ScoreSheets", expert: Expert, conv: Conversation):
        self.target, self.expert, self.conv = target, expert, conv

    def item(self):
        items = self.target.items(self.expert)
        return items[self.conv.item] if self.conv.item is not None and self.conv.item < len(items) else None

    def entry(self) -> Entry | None:
        item = self.item()
        return db.session.get(Entry, item) if item is not None else None

    def rubric(self):
        entry = self.entry()
        return rubric_for(entry.season if entry is not None else None)

    def value(self, field: str):
        return self.target.value(self.expert, self.item(), field)


class ScoreSheets:
    def subject(self, conv: Conversation):
        db.session.info.pop(_ITEMS, None)           # a new turn reads the assignments afresh
        return db.session.get(Expert, conv.subject_id) if conv.subject_id else None

    def attach(self, conv: Conversation, subject) -> None:
        conv.subject_id = subject.id if subject is not None else None

    def open(self, subject: Expert) -> bool:
        return subject.active

    def start(self, user: User, conv: Conversation, flow) -> Expert:
        db.session.info.pop(_ITEMS, None)
        return scoring.require_expert(user)

    def latest(self, user: User):
        return None                                  # 评分 starts again where the sheets stand

    def context(self, user: User, subject: Expert, conv: Conversation, content_verdicts: dict) -> Context:
        return Context(user=user, entry=None, season=None, today=china_today(),
                       content_verdicts=content_verdicts, subject=Cursor(self, subject, conv))

    def items(self, subject: Expert) -> list[int]:
        """The expert's entries still open for scoring (no conflict, review phase, not released)."""
        cached = db.session.info.get(_ITEMS)
        if cached is None or cached[0] != subject.id:
            ids = [e.id for e in scoring.assigned_entries(subject) if scoring.scoring_problem(e) is None]
            cached = db.session.info[_ITEMS] = (subject.id, ids)
        return cached[1]

    def _seat(self, expert: Expert, entry_id: int) -> PanelSeat | None:
        return db.session.scalar(select(PanelSeat).where(PanelSeat.entry_id == entry_id,
                                                         PanelSeat.expert_id == expert.id))

    def _score(self, expert: Expert, entry_id: int) -> Score | None:
        return db.session.scalar(select(Score).where(Score.entry_id == entry_id, Score.expert_id == expert.id))

    def value(self, subject: Expert, item, field: str):
        if item is None:
            return None
        seat = self._seat(subject, item)
        if seat is not None and field in (seat.draft or {}):
            return seat.draft[field]
        score = self._score(subject, item)
        if score is None:
            return None
        if field == "comment":
            return score.comment or lookup("scoring.dialogue.no_comment")
        criterion, _, part = field.partition(".")
        return score.criteria.get(criterion, {}).get(part)

    def answer(self, ctx: Context, step: Step, item, raw) -> list[str]:
        expert = ctx.subject.expert
        value = parse_answer(step, raw, ctx)
        seat = self._seat(expert, item)
        draft = dict(seat.draft or {})
        draft[step.field] = value
        criterion, _, part = step.field.partition(".")
        if part == "band":
            band = ctx.subject.rubric().criterion(criterion).band(value)
            points = self.value(expert, item, f"{criterion}.points")
            if points is not None and not band.min <= points <= band.max:
                draft[f"{criterion}.points"] = None  # asked again inside the new band
        seat.draft = draft
        if step.field == "comment" or self._score(expert, item) is not None:
            return self._save(ctx.user, expert, item)
        return []

    def _sheet(self, expert: Expert, item) -> dict | None:
        sheet = {}
        for c in CRITERIA:
            band, points = self.value(expert, item, f"{c}.band"), self.value(expert, item, f"{c}.points")
            if band is None or points is None:
                return None
            sheet[c] = {"band": band, "points": points}
        return sheet

    def _save(self, user: User, expert: Expert, item) -> list[str]:
        sheet = self._sheet(expert, item)
        if sheet is None:
            return []
        comment = self.value(expert, item, "comment")
        if comment == lookup("scoring.dialogue.no_comment"):
            comment = None
        entry = scoring.get_entry(item, lock=True)
        score = scoring.save(user, expert, entry, sheet, comment)
        self._seat(expert, item).draft = {}
        return [flows.get(FLOW).text("saved", title=entry.title or "", total=score.total)]

    def complete(self, user: User, subject: Expert, action: str) -> Completion:
        texts = []
        items = self.items(subject)
        for item in items:
            seat = self._seat(subject, item)
            if seat is not None and seat.draft:
                texts += self._save(user, subject, item)
        if not items:
            return Completion(texts=[flows.get(FLOW).text("nothing")], done=True)
        return Completion(texts=[*texts, flows.get(FLOW).text("finished", count=len(items))], done=True)

    def withdraw(self, user: User, subject: Expert, reason: str) -> None:
        for seat in db.session.scalars(select(PanelSeat).where(PanelSeat.expert_id == subject.id)):
            seat.draft = {}

    def item_label(self, subject: Expert, item) -> str:
        entry = db.session.get(Entry, item)
        return lookup("scoring.dialogue.item").format(title=entry.title or item)


targets.register("score_sheets", ScoreSheets())
