"""Entering and leaving a flow: start one (if the policy lets this person), resume the latest
open one (继续), complete it (the target's completion action), or leave it idle."""
from __future__ import annotations

from . import flows, targets
from .flows import Flow
from .replies import Reply, say


class FlowLifecycle:
    """Mixed into Engine; uses self.conv, self.user, self.can, self.replies and sets self.flow,
    self.target, self.subject, self.done, self.finished_id."""

    def idle(self) -> None:
        if self.target is not None:
            self.target.attach(self.conv, None)
        self.conv.flow, self.conv.step, self.conv.item = None, None, None
        self.conv.history, self.conv.skipped, self.conv.paused, self.conv.pending = [], [], False, None
        self.conv.state = {}
        self.flow, self.target, self.subject = None, None, None

    def start(self, flow: Flow) -> None:
        if flow.requires and not self.can(self.user, flow.requires):
            self.replies.append(Reply(flow.text("not_allowed")))
            return
        self.idle()
        self.flow, self.target = flow, targets.get(flow.target)
        self.subject = self.target.start(self.user, self.conv, flow)
        self.target.attach(self.conv, self.subject)
        self.conv.flow = flow.key
        self.conv.state = {"prefilled": sorted(self.filled_positions())}
        self.replies.append(Reply(flow.text("started", total=self.progress_total())))
        self.ask()

    def resume_latest(self) -> bool:
        for key in flows.keys():
            flow = flows.get(key)
            target = targets.get(flow.target)
            found = target.latest(self.user)
            if found is not None and found[1] == key:
                self.flow, self.target, self.subject = flow, target, found[0]
                target.attach(self.conv, self.subject)
                self.conv.flow, self.conv.paused, self.conv.history, self.conv.skipped = key, False, [], []
                self.conv.state = {}
                self.replies.append(say("resume_draft"))
                self.ask()
                return True
        return False

    def complete(self) -> None:
        outcome = self.target.complete(self.user, self.subject, self.flow.complete)
        self.replies.extend(Reply(text) for text in outcome.texts)
        if outcome.ask:
            self.ask(outcome.ask)
        elif outcome.done:
            self.done, self.finished_id = True, outcome.subject_id
            self.idle()
