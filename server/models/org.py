from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

# Levels of the management network (RULES: city → county/industry union → unit → team).
KINDS = ("province", "city", "county", "industry_union", "unit", "team")
# The kinds an entry can be filed under as its 完成单位 (a unit, or a team inside one).
FILING_KINDS = ("unit", "team")
UNIT_TYPES = ("state_owned", "non_public", "public_institution", "college", "estation", "other")
SYSTEMS = ("union", "youth_league", "womens_federation", "science_association")


class Organisation(db.Model):
    """A node of the organisation tree, of any depth.

    `path` is the materialised chain of ids ("/1/4/17/") so "is X inside Y's subtree" is a
    prefix test and a subtree is one indexed LIKE query on either database."""
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    unit_type: Mapped[str | None] = mapped_column(String(30))
    system: Mapped[str | None] = mapped_column(String(30))
    employee_count: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(500), index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    # 示范重点 (a model key unit, RULES: counted apart in the statistics).
    model_key: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Counties and cities: does a four-party coordination body (四方协调机构) exist? None: not said.
    four_party: Mapped[bool | None] = mapped_column(Boolean)
    # A retired node stays (entries and roles point at it) but is no longer offered or counted.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)

    parent: Mapped["Organisation | None"] = relationship(remote_side=[id])

    @property
    def files_entries(self) -> bool:
        return self.kind in FILING_KINDS

    def contains(self, other: "Organisation") -> bool:
        return other.path.startswith(self.path)

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]
