"""Marshmallow schemas: the API's contract, validated on the way in and shaped on the way out."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ...domain.framing import override_keys
from ...domain.matching.profile import CRITERIA, FUNCTION_MIXES
from ...domain.programme import OPERATORS, RULE_FIELDS


class ConditionSchema(Schema):
    field = fields.String(required=True, validate=validate.OneOf(RULE_FIELDS))
    op = fields.String(required=True, validate=validate.OneOf(list(OPERATORS)))
    value = fields.Raw(required=True)


class RulesSchema(Schema):
    all = fields.List(fields.Nested(ConditionSchema), load_default=list)
    employee_ids = fields.List(fields.Integer(), load_default=list)


FRAMING_KEY = rf"^([A-Z]{{2}}|{'|'.join(override_keys())})$"


class FramingSchema(Schema):
    relationship = fields.String(validate=validate.Length(1, 80))
    mentor = fields.String(validate=validate.Length(1, 80))
    mentee = fields.String(validate=validate.Length(1, 80))


class ProgrammeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    objectives = fields.String(load_default="")
    topics = fields.List(fields.String(validate=validate.Length(1, 60)), load_default=list)
    mentor_rules = fields.Nested(RulesSchema, load_default=dict)
    mentee_rules = fields.Nested(RulesSchema, load_default=dict)
    mentors_per_executive = fields.Integer(load_default=1, validate=validate.Range(1, 3))
    distinct_countries = fields.Boolean(load_default=False)
    function_mix = fields.String(load_default="none", validate=validate.OneOf(FUNCTION_MIXES))
    min_overlap_hours = fields.Float(load_default=1.0, validate=validate.Range(0, 12))
    weights = fields.Dict(keys=fields.String(validate=validate.OneOf(CRITERIA)),
                          values=fields.Float(validate=validate.Range(0, 10)), load_default=dict)
    cadence_days = fields.Integer(load_default=14, validate=validate.Range(1, 90))
    session_minutes = fields.Integer(load_default=45, validate=validate.Range(10, 240))
    duration_weeks = fields.Integer(load_default=26, validate=validate.Range(1, 104))
    max_extensions = fields.Integer(load_default=1, validate=validate.Range(0, 4))
    extension_weeks = fields.Integer(load_default=12, validate=validate.Range(1, 52))
    # keyed by a framing region ("japan", "dach", ...) or one ISO country code ("JP")
    framing = fields.Dict(keys=fields.String(validate=validate.Regexp(FRAMING_KEY)),
                          values=fields.Nested(FramingSchema), load_default=dict)
    lms_connection_id = fields.Integer(allow_none=True, load_default=None)
    lms_course_id = fields.String(allow_none=True, load_default=None)
    starts_on = fields.Date(allow_none=True, load_default=None)
    status = fields.String(dump_only=True)


class TransitionSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["draft", "matching", "active", "completed"]))


class ReasonSchema(Schema):
    criterion = fields.String()
    score = fields.Float()
    text = fields.String()


class PairSchema(Schema):
    id = fields.Integer()
    programme_id = fields.Integer()
    mentee_employee_id = fields.Integer()
    mentor_employee_id = fields.Integer()
    score = fields.Float()
    explanation = fields.List(fields.Dict())
    status = fields.String()
    locked = fields.Boolean()


class PairActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["lock", "unlock", "exclude"]))
    reason = fields.String(load_default="", validate=validate.Length(0, 200))


class SwapSchema(Schema):
    pair_id = fields.Integer(required=True)
    other_pair_id = fields.Integer(required=True)
