"""Server-side tables (console lists): one page of a query, sorted and filtered in SQL, with
its total. The console parses the request into a TableQuery (web/console/tables.py); a service
builds the statement with its filters and calls `page` with the columns it allows to sort by."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import ceil
from urllib.parse import urlencode

from sqlalchemy import func, select

from ..extensions import db


@dataclass(frozen=True)
class TableQuery:
    page: int = 1
    per_page: int = 50
    sort: str = ""
    dir: str = "asc"
    filters: dict = field(default_factory=dict)

    def link(self, **changes) -> str:
        """The query string of this table with some of page/sort/dir/filters changed."""
        q = replace(self, **{k: v for k, v in changes.items() if k in ("page", "per_page", "sort", "dir")})
        params = {**{k: v for k, v in self.filters.items() if v not in (None, "")},
                  **{k: v for k, v in changes.items() if k not in ("page", "per_page", "sort", "dir")}}
        params.update(page=q.page, sort=q.sort, dir=q.dir)
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@dataclass
class Page:
    rows: list
    total: int
    query: TableQuery
    capped: bool = False      # more than `total` rows match (counting stopped there)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.query.per_page))


def page(stmt, q: TableQuery, sortable: dict, default: str, scalars: bool = True, count_cap: int | None = None,
         tiebreak=None) -> Page:
    """Run `stmt` for one page. `sortable` maps a sort key to a column; unknown keys sort by
    `default`; `tiebreak` (an id column) keeps pages from repeating or skipping rows. With
    `count_cap`, counting stops after that many rows (a long audit trail says "10000+")."""
    key = q.sort if q.sort in sortable else default
    column = sortable[key]
    order = [column.desc() if q.dir == "desc" else column.asc()]
    if tiebreak is not None and tiebreak is not column:
        order.append(tiebreak.desc() if q.dir == "desc" else tiebreak.asc())
    counted = stmt.order_by(None)
    if count_cap:
        counted = counted.limit(count_cap + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    capped = bool(count_cap) and total > count_cap
    total = min(total, count_cap) if count_cap else total
    last_page = max(1, -(-total // q.per_page))
    q = replace(q, sort=key, page=min(max(q.page, 1), last_page) if not capped else max(q.page, 1))
    rows_stmt = stmt.order_by(*order).limit(q.per_page).offset((q.page - 1) * q.per_page)
    rows = list(db.session.scalars(rows_stmt) if scalars else db.session.execute(rows_stmt))
    return Page(rows, total, q, capped)
