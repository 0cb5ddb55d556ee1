"""Running the global commands (commands.py reads the words): 暂停/继续, 帮助, 查看, 返回, 跳过,
修改 <字段>, 完成 in a loop, 重新开始/放弃 (asked back first), 提交 at the confirm step."""
from __future__ import annotations

from ..forms.catalogue import label
from ..texts import lookup, t
from .commands import Command
from .places import CONFIRM, position
from .replies import Reply, say


class Commanding:
    """Mixed into Engine; uses self.conv, self.flow, self.replies, self.active and the Places,
    Asking and FlowLifecycle methods."""

    def run_command(self, cmd: Command) -> bool:
        """Run a global command; False when the word should be read as an answer instead."""
        if not self.active:
            if cmd.name == "resume" and self.resume_latest():
                return True
            self.replies.append(say("no_active_entry"))
        elif cmd.name == "resume":
            self.conv.paused = False
            self.replies.append(say("resume_draft"))
            self.ask(self.current_position(), with_value=True)
        elif cmd.name == "pause":
            self.conv.paused = True
            self.replies.append(say("paused"))
        elif self.conv.paused:
            self.replies.append(say("resume_hint"))
        elif cmd.name == "help":
            step = self.step()
            if step is None:
                self.ask(CONFIRM)
            else:
                self.replies.append(Reply(t("dialogue.help_header") + self.step_text(step, "help")
                                          + "\n" + t("dialogue.example", example=self.step_text(step, "example"))
                                          + "\n" + t("dialogue.commands_hint")))
                self.ask(self.current_position())
        elif cmd.name == "review":
            if self.conv.step != CONFIRM:       # the confirm step shows the summary itself (it came twice)
                self.replies.extend(self.summary())
            self.ask(self.current_position(), with_value=True)
        elif cmd.name == "back":
            self.back()
        elif cmd.name == "skip":
            self.skip()
        elif cmd.name == "done" and self.step() is not None and self.step().extra.get("done_word_ends"):
            self.conv.skipped = [*self.conv.skipped, self.current_position()]
            self.ask()
        elif cmd.name == "done":
            return False
        elif cmd.name == "edit":
            if not cmd.explicit and self.resolve(cmd.arg) is None:
                return False                       # "修改皮带机…" is an answer, not a command
            self.edit(cmd.arg)
        elif cmd.name in ("restart", "abandon"):
            self.conv.pending = cmd.name
            self.replies.append(Reply(t(f"dialogue.confirm_{cmd.name}"), lookup("dialogue.yes_no_options")))
        elif cmd.name == "submit":
            if self.conv.step != CONFIRM:
                return False
            self.complete()
        return True

    def back(self) -> None:
        here = self.current_position()
        live = {position(i, s.field) for i, s in self.positions()}
        # Only steps that still apply: an answer that made others inapplicable hides them.
        history = [p for p in self.conv.history if p != here and p in live]
        if not history:
            self.replies.append(say("back_at_start"))
            self.ask(here, with_value=True)
            return
        self.conv.history = history[:-1]
        self.ask(history[-1], with_value=True)

    def skip(self) -> None:
        step = self.step()
        if step is None or not step.optional:
            self.replies.append(say("cannot_skip", label=label(self.conv.step) if step else ""))
            self.ask(self.current_position())
            return
        self.conv.skipped = [*self.conv.skipped, self.current_position()]
        self.replies.append(say("skipped", label=label(step.field)))
        self.ask()

    def edit(self, name: str) -> None:
        field_name = self.resolve(name)
        if field_name is None:
            labels = "、".join(dict.fromkeys(label(s.field) for _, s in self.positions()))
            self.replies.append(say("unknown_field", name=name, labels=labels))
            self.ask(self.current_position())
            return
        index = self.conv.item if self.flow.loop else None
        pos = position(index, field_name)
        self.conv.skipped = [p for p in self.conv.skipped if p != pos]
        self.ask(pos, with_value=True)
