"""Marshmallow schemas for impact and pair health: what HR's BI tools read from the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...domain import impact, pair_health
from .fields import Boolean, Float, Id, Integer


class IntervalSchema(Schema):
    estimate = Float(required=True)
    low = Float(required=True)
    high = Float(required=True)


class CellSchema(Schema):
    group = fields.String(required=True, validate=validate.OneOf(impact.GROUPS))
    outcome = fields.String(required=True, validate=validate.OneOf(impact.OUTCOMES))
    months = Integer(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(["shown", "suppressed", "not_yet", "empty"]),
        metadata={"description": "suppressed cells carry no counts or rates"},
    )
    participants = Integer(allow_none=True)
    comparison = Integer(allow_none=True)
    unmatched = Integer(allow_none=True)
    participant_rate = Float(allow_none=True)
    comparison_rate = Float(allow_none=True)
    absolute = fields.Nested(IntervalSchema, allow_none=True, metadata={"description": "rate difference, 95% CI"})
    relative = fields.Nested(IntervalSchema, allow_none=True, metadata={"description": "ratio - 1, 95% CI"})


class RoiSchema(Schema):
    months = Integer()
    avoided_leavers = fields.Nested(IntervalSchema)
    replacement_cost = Float()
    value = fields.Nested(IntervalSchema)
    programme_cost = Float()
    roi = fields.Nested(IntervalSchema, allow_none=True)


class ImpactSettingsSchema(Schema):
    """An unknown setting is refused (a typo must not pass as saved); there are no read-only fields here."""

    replacement_cost = Float(validate=validate.Range(0, 10_000_000))
    programme_cost = Float(validate=validate.Range(0, 1_000_000_000))
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    opt_in = Boolean()
    threshold = Integer(validate=validate.Range(impact.MIN_THRESHOLD, 100))


class ImpactReportSchema(Schema):
    index_date = fields.Date()
    as_of = fields.Date()
    warning = fields.String(allow_none=True)
    threshold = fields.Method("_threshold", metadata={"type": "integer"})
    cells = fields.List(fields.Nested(CellSchema))
    roi = fields.Nested(RoiSchema, allow_none=True)

    def _threshold(self, report) -> int:
        return report.settings.threshold


class ImpactQuerySchema(Schema):
    """Query strings are text: these two are read with marshmallow's own (string-accepting) fields."""

    as_of = fields.Date(load_default=None)
    roi_months = fields.Integer(load_default=12, validate=validate.OneOf(impact.HORIZONS))


class PairHealthSchema(Schema):
    pair_id = Id()
    mentor = fields.String()
    mentee = fields.String()
    status = fields.String(validate=validate.OneOf(pair_health.STATUSES))
    expected_sessions = Integer()
    held_sessions = Integer()
    last_session = fields.Date(allow_none=True)
    last_activity = fields.Date(allow_none=True)
    executive_cancellations = Integer()
    reasons = fields.List(fields.String())
    can_nudge = Boolean()


def pair_health_row(row) -> dict:
    """A services.pair_health.PairRow flattened for PairHealthSchema."""
    health = row.health
    return {
        "pair_id": row.pair.id,
        "mentor": _name(row.mentor),
        "mentee": _name(row.mentee),
        "status": health.status,
        "expected_sessions": health.expected_sessions,
        "held_sessions": health.held_sessions,
        "last_session": health.last_session,
        "last_activity": health.last_activity,
        "executive_cancellations": health.executive_cancellations,
        "reasons": health.explain(),
        "can_nudge": health.can_nudge,
    }


class NudgeSchema(Schema):
    id = Id()
    pair_id = Id()
    sent_at = fields.DateTime()


def _name(employee) -> str:
    return employee.display_name or f"{employee.first_name} {employee.last_name}".strip()
