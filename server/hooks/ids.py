"""Ids in URL paths are database keys, INTEGER columns. A larger number (`/entries/1` followed by
thirty zeros) still matches its route but becomes id 0, which no row has: the view answers its
own 404 ("没有找到这份申报"), never an overflow in the database driver."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2 ** 31 - 1
NO_SUCH_ID = 0


class BoundedIntConverter(IntegerConverter):
    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else NO_SUCH_ID


def register(app: Flask) -> None:
    """Before any blueprint: a rule takes its converter when it is added."""
    app.url_map.converters["int"] = BoundedIntConverter


def form_id(raw: str | None) -> int:
    """An id typed into a form: NO_SUCH_ID for anything that is not a number a key can hold."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ID else NO_SUCH_ID
