"""The organisation tree: creating nodes keeps their materialised path right."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Organisation


def add_org(name: str, kind: str, parent: Organisation | None = None, **attrs) -> Organisation:
    org = Organisation(name=name, kind=kind, parent_id=parent.id if parent else None,
                       depth=(parent.depth + 1) if parent else 0, **attrs)
    db.session.add(org)
    db.session.flush()   # the id is part of the path
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


def children(org: Organisation) -> list[Organisation]:
    return list(db.session.scalars(
        select(Organisation).where(Organisation.parent_id == org.id).order_by(Organisation.id)))


def get_org(org_id: int) -> Organisation | None:
    return db.session.get(Organisation, org_id)
