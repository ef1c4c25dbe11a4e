"""Marshmallow schemas of the answers that are not a stored row: a match run, approval, imports, insights,
errors. Every field the API answers with is named here or in schemas.py, so the document shows it."""

from __future__ import annotations

from marshmallow import Schema, fields

from .fields import Boolean, Float, Id, Integer
from .schemas import ReasonSchema


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable reason code, e.g. not_found"})
    message = fields.String(required=True, metadata={"description": "what happened and what to do"})
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), metadata={"description": "per-field problems"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class MatchedPairSchema(Schema):
    mentee_employee_id = Id()
    mentor_employee_id = Id()
    score = Integer(metadata={"description": "out of 100, as on the match review page and in `flipside match`"})
    locked = Boolean()
    explanation = fields.List(fields.Nested(ReasonSchema))


class UnfilledSchema(Schema):
    mentee_employee_id = Id()
    missing = Integer()
    reason = fields.String()
    detail = fields.String(allow_none=True)
    remedy = fields.String(metadata={"description": "what would fill the empty places"})


class MatchRunSchema(Schema):
    dry_run = Boolean()
    slots = Integer()
    filled = Integer()
    optimal = Boolean()
    gap = Float(allow_none=True)
    method = fields.String()
    total_score = Integer(metadata={"description": "the pairs' scores added up, in points out of 100 each"})
    pairs = fields.List(fields.Nested(MatchedPairSchema))
    unfilled = fields.List(fields.Nested(UnfilledSchema))


class MatchQuerySchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "preview without storing"})


class ExcludedSchema(Schema):
    excluded = Id(required=True)


class ApprovalSchema(Schema):
    approved = fields.List(Id())
    enrolment_jobs = fields.List(fields.String())


class EnrolledSchema(Schema):
    added = fields.Dict(keys=fields.String(), values=Integer(), metadata={"description": "candidates added, by role"})


class RejectedRowSchema(Schema):
    line = Integer()
    reason = fields.String()


class ProfileImportSchema(Schema):
    imported = Integer()
    rejected = fields.List(fields.Nested(RejectedRowSchema))


class InsightCellSchema(Schema):
    key = fields.Dict(keys=fields.String(), values=fields.String())
    suppressed = Boolean()
    people = Integer(allow_none=True)
    answers = Integer(allow_none=True)
    means = fields.Dict(keys=fields.String(), values=Float(allow_none=True), allow_none=True)


class InsightReportSchema(Schema):
    by = fields.List(fields.String())
    threshold = Integer()
    cutoff = fields.Date()
    cells = fields.List(fields.Nested(InsightCellSchema))
