"""Row ids in URLs: SQLite INTEGER is 64-bit, so a longer number names no row. Without a bound
such an id reaches sqlite3 and raises OverflowError (a 500) instead of "not found"."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

MAX_ROW_ID = 2 ** 63 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` for every route of an actor: a number past SQLite's range does not match the
    route, so the request ends as an ordinary 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_ROW_ID if max is None else max, signed=signed)


def install(app: Flask) -> None:
    """Before any blueprint is registered: rules bind their converters when they are added."""
    app.url_map.converters["int"] = RowIdConverter


def arg(name: str) -> int | None:
    """A row id from the query string, None when absent, not a number or out of range."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 <= value <= MAX_ROW_ID else None

