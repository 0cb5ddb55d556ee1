"""Putting a question: the step's prompt with the season's figures filled in and its buttons,
the current value when a step is asked again, the summary at the confirm step, the welcome."""
from __future__ import annotations

from ..forms.catalogue import Step, label
from ..forms.examples import season_params
from ..forms.types import button_labels, display
from ..texts import lookup, t
from .places import CONFIRM, split_position
from .replies import Reply


class Asking:
    """Mixed into Engine; uses self.conv, self.flow, self.target, self.subject, self.user,
    self.can, self.replies, self.ctx() and the Places methods."""

    def ask(self, pos: str | None = None, *, with_value: bool = False) -> None:
        index, field_name = split_position(pos) if pos else self.next_position()
        if field_name != CONFIRM and not any((i, s.field) == (index, field_name) for i, s in self.positions()):
            index, field_name = self.next_position()    # it no longer applies: ask what does
        self.conv.item, self.conv.step, self.conv.failures = index, field_name, 0
        if field_name == CONFIRM:
            self.replies.extend(self.summary())
            # a flow may word its own (a monthly report has no 项目名称 to change)
            prompt = (self.flow.text("confirm_prompt") if "confirm_prompt" in self.flow.texts
                      else t("dialogue.confirm_prompt"))
            self.replies.append(Reply(prompt, lookup("dialogue.confirm_options")))
            return
        step = self.step()
        options = self.options(step)
        text = self.step_text(step, "prompt", options)
        if index is not None:
            text = t("dialogue.item_prefix", item=self.target.item_label(self.subject, self.items()[index])) + text
        if with_value and self.filled(index, step):
            value = self.target.value(self.subject, self.current_item(), step.field)
            text += t("dialogue.current_value", value=display(step, value, self.ctx()))
        self.replies.append(Reply(text, options))

    def step_text(self, step: Step, part: str, options: list[str] | None = None) -> str:
        """A step's prompt, help or example with the season's figures filled in. When the step
        has no options to show, its `<part>_no_options` text (if any) is used: help never points
        to a list that was not shown."""
        if options is None:
            options = self.options(step)
        template = getattr(step, part)
        if not options and step.extra.get(f"{part}_no_options"):
            template = step.extra[f"{part}_no_options"]
        return template.format_map(_Params(self.prompt_params()))

    def options(self, step: Step) -> list[str]:
        return button_labels(step, self.ctx())

    def prompt_params(self) -> dict:
        ctx = self.ctx()
        return season_params(getattr(ctx, "season", None), ctx.today)

    def summary(self) -> list[Reply]:
        lines = [t("dialogue.summary_header")]
        last_index = object()
        for index, s in self.positions():
            if index is not None and index != last_index:
                lines.append(t("dialogue.summary_item", item=self.target.item_label(self.subject, self.items()[index])))
                last_index = index
            item = None if index is None else self.items()[index]
            value = self.target.value(self.subject, item, s.field)
            shown = display(s, value, self.ctx()) if value not in (None, "", []) else t("dialogue.not_filled")
            lines.append(t("dialogue.summary_line", label=label(s.field), value=shown))
        return [Reply("\n".join(lines))]

    def welcome(self) -> Reply:
        if self.can(self.user, "entry.file_for_farmer"):
            return Reply(t("dialogue.welcome") + "\n" + t("dialogue.welcome_agent"),
                         list(lookup("dialogue.welcome_agent_options")))
        return Reply(t("dialogue.welcome"), list(lookup("dialogue.welcome_options")))


class _Params(dict):
    """Season figures for texts; a placeholder with no figure (no season) is left as written."""

    def __missing__(self, key):
        return "{" + key + "}"
