"""Reading an answer: to the step being asked (through the target, which parses and checks it
with forms/), to a shortlist shown last (a number picks), and to a question asked back — an
uncertain reading (是 stores it) or a restart/abandon (是 does it). Three failures in a row bring
the full help, an example and the way out."""
from __future__ import annotations

from ..forms.catalogue import Step
from ..forms.parsers import AnswerError, NeedsConfirmation, normalise, parse_yesno
from ..texts import lookup, t
from .replies import Reply, say

MAX_TRIES = 3


class Answering:
    """Mixed into Engine; uses self.conv, self.target, self.user, self.subject, self.replies,
    self.ctx(), self.handle_text and the Places, Asking, ConversationState and FlowLifecycle
    methods."""

    def answer(self, raw, *, confirmed: bool = False) -> None:
        step = self.step()
        pos = self.current_position()
        shortlist = self.recall("shortlist")
        if shortlist and shortlist.get("pos") == pos and isinstance(raw, str):
            number = normalise(raw)                # a number picks from the list shown last
            if number.isdigit() and 1 <= int(number) <= len(shortlist["labels"]):
                raw = shortlist["labels"][int(number) - 1]
            elif number.isdigit():                 # beyond it: say what the list held, keep it
                labels = list(shortlist["labels"])
                self.replies.append(Reply(t("dialogue.shortlist_out_of_range", number=number, count=len(labels)),
                                          labels))
                return
        before = self.filled_positions()
        ctx = self.ctx()
        ctx.confirmed = confirmed
        try:
            texts = self.target.answer(ctx, step, self.current_item(), raw)
        except NeedsConfirmation as question:
            # Read but uncertain: nothing is stored until the person says 是 (any answer type may ask).
            self.conv.pending = "answer"
            self.remember("confirm", {"pos": pos, "raw": raw, "text": question.message,
                                      "declined": question.declined})
            self.replies.append(Reply(question.message, lookup("dialogue.yes_no_options")))
            return
        except AnswerError as exc:
            self.fail(step, exc)
            return
        finally:
            ctx.confirmed = False
        self.forget("shortlist")
        # Steps this answer filled besides its own (the leader's profile from "我本人") are prefilled.
        others = self.filled_positions() - before - {pos}
        prefilled = [p for p in self.recall("prefilled", []) if p != pos]
        if others or prefilled != self.recall("prefilled", []):
            self.remember("prefilled", sorted({*prefilled, *others}))
        self.conv.history = [*self.conv.history, pos]
        if pos in self.conv.skipped:
            self.conv.skipped = [p for p in self.conv.skipped if p != pos]
        self.replies.extend(Reply(text) for text in texts)
        self.ask()

    def fail(self, step: Step, exc: AnswerError) -> None:
        self.conv.failures += 1
        if exc.kept:
            self.conv.failures = 0          # not a typing problem: explained, answer kept
        text = exc.message
        if self.conv.failures >= MAX_TRIES:
            text += "\n" + t("dialogue.failed_three_times", help=self.step_text(step, "help"))
            text += "\n" + t("dialogue.example", example=self.step_text(step, "example"))
            text += "\n" + t("dialogue.offer_skip" if step.optional else "dialogue.offer_help")
        if exc.options:                     # a shortlist (search results): the next number picks from it
            self.remember("shortlist", {"pos": self.current_position(), "labels": list(exc.options)})
            self.replies.append(Reply(text, list(exc.options)))
            return
        self.forget("shortlist")
        self.replies.append(Reply(text, self.options(step)))

    def answer_pending(self, text: str) -> None:
        action, self.conv.pending = self.conv.pending, None
        if action == "answer":
            self.answer_confirmation(text)
            return
        try:
            confirmed = parse_yesno(text)
        except AnswerError:
            confirmed = False
        if not confirmed:
            self.replies.append(say("cancelled_command"))
            self.ask(self.current_position(), with_value=True)
            return
        flow = self.flow
        self.target.withdraw(self.user, self.subject, reason=action)
        if action == "restart":
            self.replies.append(say("restart_done"))
            self.idle()
            self.start(flow)
        else:
            self.idle()
            self.replies.append(say("abandon_done"))

    def answer_confirmation(self, text: str) -> None:
        """The reply to an answer's confirm-back: 是 stores the answer as read; 否 asks the step
        again; anything else (a new answer, a command) is read as usual. The draft is untouched
        until then."""
        proposal = self.recall("confirm") or {}
        self.forget("confirm")
        try:
            confirmed = parse_yesno(text)
        except AnswerError as exc:
            confirmed = None
            if exc.key == "yesno_uncertain" and proposal.get("pos") == self.current_position():
                # 不知道 / 不确定 to "按 50 万元/年 记录，对吗？" is neither a yes nor a new answer (it
                # used to be read as one: "没看懂这个金额"): say so and ask the same question again.
                self.conv.pending = "answer"
                self.remember("confirm", proposal)
                self.replies.append(Reply(t("dialogue.confirm_uncertain")))
                self.replies.append(Reply(proposal.get("text") or t("dialogue.confirm_answer"),
                                          lookup("dialogue.yes_no_options")))
                return
        if proposal.get("pos") != self.current_position() or confirmed is None:
            self.handle_text(text)
        elif confirmed:
            self.answer(proposal["raw"], confirmed=True)
        else:
            self.replies.append(Reply(proposal.get("declined") or t("dialogue.confirm_declined")))
            self.ask(self.current_position())
