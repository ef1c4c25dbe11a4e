"""JSON fields that take JSON's own types only: marshmallow would read "5", 5.0 or true as the integer 5,
and 0 or "yes" as a boolean, which the OpenAPI document does not promise (and a typo would slip through)."""

from __future__ import annotations

from marshmallow import fields, validate

from ...domain.matching.explain import points
from ..converters import ID_MAX


class Integer(fields.Integer):
    """A JSON integer (never a string, a fraction or a boolean; 3.0 is 3, as JSON Schema reads it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Float(fields.Float):
    """A JSON number (never a string or a boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Points(Integer):
    """A score kept in [0, 1], answered as points out of 100: the one scale of the pages, the CLI and the API."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else points(value)


class Boolean(fields.Boolean):
    """JSON true or false (never 0, 1 or a string)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def Id(**kwargs) -> Integer:  # noqa: N802 - reads like the other field classes
    """A row id: a positive 32-bit integer, as every id column is."""
    return Integer(validate=validate.Range(1, ID_MAX), **kwargs)
