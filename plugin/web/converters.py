"""URL converters: an `<int:...>` id in a path is a positive 32-bit integer, as every id column is.

A larger number names nothing that can exist, so it is a 404 at routing, not an overflow in PostgreSQL
(which answered 500). The OpenAPI document reads the same bounds.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """Werkzeug's integer converter, bounded to 1 .. 2**31 - 1 unless a route says otherwise."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=ID_MAX, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app) -> None:
    """Call before any blueprint is registered: rules pick their converter when they are added."""
    app.url_map.converters["int"] = IdConverter
