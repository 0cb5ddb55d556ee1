"""Placeholder until the permission table lands (being written alongside): who may start the
farmer flows. Replaced by the role × action × scope table."""
from __future__ import annotations


def can(user, action: str, obj=None) -> bool:
    if action == "entry.file_for_farmer":
        return any(a.role == "estation_agent" for a in user.roles)
    return True
