"""Marshmallow schemas: the API's contract, validated on the way in and shaped on the way out."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ...domain.framing import override_keys
from ...domain.matching.profile import CRITERIA, FUNCTION_MIXES, MAX_FIREWALL_DEPTH
from ...domain.programme import LIST_OPERATORS, NUMERIC_FIELDS, OPERATORS, RULE_FIELDS, value_fits
from ...domain.topics import TOPICS
from ...services import paging
from .fields import Boolean, Float, Id, Integer, Points


class ConditionSchema(Schema):
    """One eligibility condition; its value's type follows the field and operator (the document says so with
    one variant per kind, `openapi.condition_variants`)."""

    field = fields.String(required=True, validate=validate.OneOf(RULE_FIELDS))
    op = fields.String(required=True, validate=validate.OneOf(list(OPERATORS)))
    value = fields.Raw(required=True)

    @validates_schema(skip_on_field_errors=True)
    def _value_kind(self, data, **_kw):
        missing = [name for name in ("field", "op", "value") if name not in data]  # PATCH loads partially
        if missing:
            raise ValidationError({name: ["Missing data for required field."] for name in missing})
        if not value_fits(data):
            kind = "a number" if data["field"] in NUMERIC_FIELDS else "text"
            many = "a list of " if data["op"] in LIST_OPERATORS else ""
            raise ValidationError(f"{data['field']} {data['op']} needs {many}{kind}", "value")


class RulesSchema(Schema):
    all = fields.List(fields.Nested(ConditionSchema), load_default=list)
    employee_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=10_000))


# a catalogue topic's code in any case ("ai", "AI"): what services.programmes stores, lower-cased
TOPIC_PATTERN = "^(?:{})$".format(
    "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in code) for code in TOPICS)
)
FRAMING_KEY = rf"^([A-Z]{{2}}|{'|'.join(override_keys())})$"


class FramingSchema(Schema):
    relationship = fields.String(validate=validate.Length(1, 80))
    mentor = fields.String(validate=validate.Length(1, 80))
    mentee = fields.String(validate=validate.Length(1, 80))


class ProgrammeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = Id(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    objectives = fields.String(load_default="", validate=validate.Length(max=10_000))
    topics = fields.List(
        fields.String(
            validate=validate.Regexp(
                TOPIC_PATTERN, error="{input} is not in the topic catalogue (use " + ", ".join(TOPICS) + ")"
            )
        ),
        load_default=list,
        validate=validate.Length(max=100),
    )
    mentor_rules = fields.Nested(RulesSchema, load_default=dict)
    mentee_rules = fields.Nested(RulesSchema, load_default=dict)
    mentors_per_executive = Integer(load_default=1, validate=validate.Range(1, 3))
    distinct_countries = Boolean(load_default=False)
    function_mix = fields.String(load_default="none", validate=validate.OneOf(FUNCTION_MIXES))
    min_overlap_hours = Float(load_default=1.0, validate=validate.Range(0, 12))
    weights = fields.Dict(
        keys=fields.String(validate=validate.OneOf(CRITERIA)),
        values=Float(validate=validate.Range(0, 10)),
        load_default=dict,
    )
    # None: the reporting-line firewall keeps out the executive's whole chain; N: only N levels below them
    # and their own function (for top executives)
    firewall_depth = Integer(allow_none=True, load_default=None, validate=validate.Range(1, MAX_FIREWALL_DEPTH))
    cadence_days = Integer(load_default=14, validate=validate.Range(1, 90))
    session_minutes = Integer(load_default=45, validate=validate.Range(10, 240))
    duration_weeks = Integer(load_default=26, validate=validate.Range(1, 104))
    max_extensions = Integer(load_default=1, validate=validate.Range(0, 4))
    extension_weeks = Integer(load_default=12, validate=validate.Range(1, 52))
    # keyed by a framing region ("japan", "dach", ...) or one ISO country code ("JP")
    framing = fields.Dict(
        keys=fields.String(validate=validate.Regexp(FRAMING_KEY)),
        values=fields.Nested(FramingSchema),
        load_default=dict,
    )
    lms_connection_id = Id(allow_none=True, load_default=None)
    lms_course_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(1, 64))
    starts_on = fields.Date(allow_none=True, load_default=None)
    status = fields.String(dump_only=True)


class TransitionSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["draft", "matching", "active", "completed"]))


class ReasonSchema(Schema):
    criterion = fields.String()
    score = Float(metadata={"description": "how well the pair meets this criterion, 0 to 1"})
    share = Float(metadata={"description": "the criterion's share of the weights, 0 to 1"})
    points = Float(metadata={"description": "what the criterion added to the score out of 100"})
    text = fields.String()


class PairSchema(Schema):
    id = Id()
    programme_id = Id()
    mentee_employee_id = Id()
    mentor_employee_id = Id()
    score = Points(metadata={"description": "out of 100, as on the match review page and in `flipside match`"})
    explanation = fields.List(fields.Dict(keys=fields.String()))
    status = fields.String()
    locked = Boolean()


class PairActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["lock", "unlock", "exclude"]))
    reason = fields.String(load_default="", validate=validate.Length(0, 200))


class SwapSchema(Schema):
    pair_id = Id(required=True)
    other_pair_id = Id(required=True)


class ApproveSchema(Schema):
    pair_ids = fields.List(
        Id(),
        validate=validate.Length(1, 10_000),
        metadata={"description": "approve only these proposed pairs; leave out to approve all"},
    )


class PageQuerySchema(Schema):
    """A page of a long list: `page` from 1, `per_page` up to the maximum; the answer's `Link` header names
    the next, previous and last pages (RFC 8288) and `X-Total-Count` the whole list's length."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(1, paging.MAX_PER_PAGE))
