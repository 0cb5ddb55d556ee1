"""Read a table's paging, sort and filters from the query string (services/tables.py runs it)."""
from __future__ import annotations

from flask import request

from ...services.tables import TableQuery


def table_query(filters: tuple[str, ...] = (), per_page: int = 50, default_dir: str = "asc") -> TableQuery:
    args = request.args
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    return TableQuery(page=page, per_page=per_page, sort=args.get("sort", ""),
                      dir=args.get("dir") if args.get("dir") in ("asc", "desc") else default_dir,
                      filters={name: args.get(name, "").strip() for name in filters})
