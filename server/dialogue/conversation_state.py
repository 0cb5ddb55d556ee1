"""The engine's notes between turns, in `Conversation.state` (committed with the turn by the
caller): the prefilled steps, an answer waiting for its confirm-back, the shortlist shown last."""
from __future__ import annotations


class ConversationState:
    """Mixed into Engine; uses self.conv. Writes always a new dict, so the JSON column is seen
    as changed."""

    def recall(self, key: str, default=None):
        return (self.conv.state or {}).get(key, default)

    def remember(self, key: str, value) -> None:
        self.conv.state = {**(self.conv.state or {}), key: value}

    def forget(self, key: str) -> None:
        if key in (self.conv.state or {}):
            self.conv.state = {k: v for k, v in self.conv.state.items() if k != key}
