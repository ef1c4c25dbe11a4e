"""URL ids: an `<int:...>` id in a path is a positive 32-bit integer, as every id column is.

A larger number names nothing that can exist, so it is a 404, not an overflow in PostgreSQL (which
answered 500). The bounds are checked after routing, not by the converter: Werkzeug answers a path that
a bounded converter refuses with 405 (as if only another method were allowed) instead of 404.
The OpenAPI document reads the same bounds.
"""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

from ..errors import NotFound

ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """Werkzeug's integer converter, with bounds (1 .. 2**31 - 1 unless a route says otherwise) checked later."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=ID_MAX, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, signed=signed)
        self.low, self.high = min, max


def check_ids(_endpoint, values) -> None:
    """Refuse an id outside its converter's bounds as not found, before any view or query sees it."""
    rule = request.url_rule
    for name, value in (values or {}).items():
        converter = rule._converters.get(name) if rule is not None else None
        if isinstance(converter, IdConverter) and not converter.low <= value <= converter.high:
            raise NotFound(f"No {name.removesuffix('_id').replace('_', ' ')} has the id {value}")


def init_app(app) -> None:
    """Call before any blueprint is registered: rules pick their converter when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.url_value_preprocessor(check_ids)
