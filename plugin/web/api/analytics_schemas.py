"""Marshmallow schemas for impact and pair health: what HR's BI tools read from the API."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ...domain import impact, pair_health


class IntervalSchema(Schema):
    estimate = fields.Float(required=True)
    low = fields.Float(required=True)
    high = fields.Float(required=True)


class CellSchema(Schema):
    group = fields.String(required=True, validate=validate.OneOf(impact.GROUPS))
    outcome = fields.String(required=True, validate=validate.OneOf(impact.OUTCOMES))
    months = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["shown", "suppressed", "not_yet", "empty"]),
                           metadata={"description": "suppressed cells carry no counts or rates"})
    participants = fields.Integer(allow_none=True)
    comparison = fields.Integer(allow_none=True)
    unmatched = fields.Integer(allow_none=True)
    participant_rate = fields.Float(allow_none=True)
    comparison_rate = fields.Float(allow_none=True)
    absolute = fields.Nested(IntervalSchema, allow_none=True, metadata={"description": "rate difference, 95% CI"})
    relative = fields.Nested(IntervalSchema, allow_none=True, metadata={"description": "ratio - 1, 95% CI"})


class RoiSchema(Schema):
    months = fields.Integer()
    avoided_leavers = fields.Nested(IntervalSchema)
    replacement_cost = fields.Float()
    value = fields.Nested(IntervalSchema)
    programme_cost = fields.Float()
    roi = fields.Nested(IntervalSchema, allow_none=True)


class ImpactSettingsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    replacement_cost = fields.Float(validate=validate.Range(0, 10_000_000))
    programme_cost = fields.Float(validate=validate.Range(0, 1_000_000_000))
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    opt_in = fields.Boolean()
    threshold = fields.Integer(validate=validate.Range(impact.MIN_THRESHOLD, 100))


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
    as_of = fields.Date(load_default=None)
    roi_months = fields.Integer(load_default=12, validate=validate.OneOf(impact.HORIZONS))


class PairHealthSchema(Schema):
    pair_id = fields.Integer()
    mentor = fields.String()
    mentee = fields.String()
    status = fields.String(validate=validate.OneOf(pair_health.STATUSES))
    expected_sessions = fields.Integer()
    held_sessions = fields.Integer()
    last_session = fields.Date(allow_none=True)
    last_activity = fields.Date(allow_none=True)
    executive_cancellations = fields.Integer()
    reasons = fields.List(fields.String())
    can_nudge = fields.Boolean()


def pair_health_row(row) -> dict:
    """A services.pair_health.PairRow flattened for PairHealthSchema."""
    health = row.health
    return {"pair_id": row.pair.id, "mentor": _name(row.mentor), "mentee": _name(row.mentee),
            "status": health.status, "expected_sessions": health.expected_sessions,
            "held_sessions": health.held_sessions, "last_session": health.last_session,
            "last_activity": health.last_activity, "executive_cancellations": health.executive_cancellations,
            "reasons": health.explain(), "can_nudge": health.can_nudge}


class NudgeSchema(Schema):
    id = fields.Integer()
    pair_id = fields.Integer()
    sent_at = fields.DateTime()


def _name(employee) -> str:
    return employee.display_name or f"{employee.first_name} {employee.last_name}".strip()
