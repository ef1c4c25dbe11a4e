"""Each vendor connection's settings, typed at the edge: a marshmallow schema checks them when a connection
is created or edited, and services read a frozen dataclass (no `.get` on a settings dict deep in a job).

A bad value is refused with the field that is wrong when it is saved, never found later as a KeyError.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import RAISE, Schema, fields, post_load, validate
from marshmallow import ValidationError as SchemaError

from ..errors import FatalError, ValidationError
from ..models import Connection


@dataclass(frozen=True)
class RetrySettings:
    """In-request retries (connectors.http caps them at 3 tries and 30 s whatever is asked here)."""

    attempts: int = 3
    base: float = 0.5
    cap: float = 10.0


@dataclass(frozen=True)
class HrisSettings:
    """What a BambooHR or Workday connection needs besides its credentials."""

    company: str = ""  # BambooHR
    host: str = "current"  # BambooHR's API host, or the Workday host (wd2-impl-services1.workday.com)
    tenant: str = ""  # Workday
    report: str | None = None  # Workday RaaS report OWNER/NAME
    incremental_report: str | None = None
    learning_path: str | None = None
    bulk: str = "custom_report"
    page_size: int = 1000
    batch_size: int | None = None
    origin: str | None = None  # a loopback emulator or proxy instead of the vendor's public host
    scope: str | None = None
    fields: dict = field(default_factory=dict)
    custom_fields: dict = field(default_factory=dict)
    retry: RetrySettings = field(default_factory=RetrySettings)
    timeout: tuple[float, float] | None = None
    deletion_safeguard: dict = field(default_factory=dict)  # {percent, count}: see services.safeguard


@dataclass(frozen=True)
class LmsSettings:
    """What a Moodle or Canvas connection needs besides its credentials."""

    base_url: str
    rate_limit_per_s: float = 20.0  # across all workers
    rate_burst: int = 5
    http_attempts: int = 3
    user_auth: str = "manual"  # Moodle: the auth plugin of the accounts it creates
    role_ids: dict | None = None  # Moodle: discovered role ids
    account_id: str = "self"  # Canvas
    auth_provider: str | None = None  # Canvas
    pacing: dict = field(default_factory=dict)  # Canvas: low_water, max_pause, throttle_pause


class _Strict(Schema):
    class Meta:
        unknown = RAISE  # a misspelt setting is an error at save time, not a silent default


class RetrySchema(_Strict):
    attempts = fields.Integer(validate=validate.Range(1, 3))
    base = fields.Float(validate=validate.Range(0, 30))
    cap = fields.Float(validate=validate.Range(0, 30))

    @post_load
    def _typed(self, data, **_):
        return RetrySettings(**data)


class SafeguardSchema(_Strict):
    """The deletion safeguard's threshold (services.safeguard.Threshold reads it)."""

    percent = fields.Float(allow_nan=False, validate=validate.Range(0, 100))
    count = fields.Integer(validate=validate.Range(0, None))


Seconds = fields.Float(validate=validate.Range(0.1, 600))


class HrisSchema(_Strict):
    host = fields.String(validate=validate.Length(1, 255))
    origin = fields.Url(require_tld=False, schemes={"http", "https"}, allow_none=True)
    fields_ = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")
    custom_fields = fields.Dict(keys=fields.String(), values=fields.String())
    retry = fields.Nested(RetrySchema)
    timeout = fields.Tuple((Seconds, Seconds), allow_none=True)
    batch_size = fields.Integer(validate=validate.Range(1, 100_000), allow_none=True)
    scope = fields.String(allow_none=True)
    deletion_safeguard = fields.Nested(SafeguardSchema)

    @post_load
    def _typed(self, data, **_):
        data["fields"] = data.pop("fields_", {})
        return HrisSettings(**data)


class BambooHRSchema(HrisSchema):
    company = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{1,64}$"))
    bulk = fields.String(validate=validate.OneOf(["custom_report", "dataset"]))
    page_size = fields.Integer(validate=validate.Range(1, 10_000))


class WorkdaySchema(HrisSchema):
    host = fields.String(required=True, validate=validate.Length(1, 255))
    tenant = fields.String(required=True, validate=validate.Length(1, 128))
    report = fields.String(allow_none=True, validate=validate.Regexp(r"^[^/\s]+/[^/\s]+$"))
    incremental_report = fields.String(allow_none=True, validate=validate.Regexp(r"^[^/\s]+/[^/\s]+$"))
    learning_path = fields.String(allow_none=True)


class LmsSchema(_Strict):
    base_url = fields.Url(required=True, require_tld=False, schemes={"http", "https"})
    rate_limit_per_s = fields.Float(validate=validate.Range(0.1, 10_000))
    rate_burst = fields.Integer(validate=validate.Range(1, 10_000))
    http_attempts = fields.Integer(validate=validate.Range(1, 3))


class MoodleSchema(LmsSchema):
    user_auth = fields.String(validate=validate.Length(1, 64))
    role_ids = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)

    @post_load
    def _typed(self, data, **_):
        return LmsSettings(**data)


class CanvasSchema(LmsSchema):
    account_id = fields.String(validate=validate.Length(1, 64))
    auth_provider = fields.String(allow_none=True)
    low_water = fields.Float(validate=validate.Range(0, 10_000))
    max_pause = fields.Float(validate=validate.Range(0, 60))
    throttle_pause = fields.Float(validate=validate.Range(0, 600))

    @post_load
    def _typed(self, data, **_):
        pacing = {k: data.pop(k) for k in ("low_water", "max_pause", "throttle_pause") if k in data}
        return LmsSettings(**data, pacing=pacing)


SCHEMAS = {"bamboohr": BambooHRSchema, "workday": WorkdaySchema, "moodle": MoodleSchema, "canvas": CanvasSchema}


def check(vendor: str, settings: dict) -> HrisSettings | LmsSettings:
    """The settings typed, or ValidationError naming each bad field (nothing is stored)."""
    schema = SCHEMAS.get(vendor)
    if schema is None:
        raise ValidationError(f"Unknown vendor {vendor!r}", errors={"vendor": vendor})
    if not isinstance(settings, dict):
        raise ValidationError(f"{vendor} settings must be an object", errors={"settings": type(settings).__name__})
    try:
        return schema().load(settings)
    except SchemaError as exc:
        raise ValidationError(f"These {vendor} settings are not valid: {exc.messages}", errors=exc.messages) from exc


def hris(conn: Connection) -> HrisSettings:
    """A stored HRIS connection's settings (checked when they were saved)."""
    return _stored(conn)


def lms(conn: Connection) -> LmsSettings:
    """A stored LMS connection's settings (checked when they were saved)."""
    return _stored(conn)


def _stored(conn: Connection):
    try:
        return check(conn.vendor, conn.settings or {})
    except ValidationError as exc:
        # saved before settings were checked: a person must fix them, and no retry will
        raise FatalError(f"connection {conn.id} has invalid settings; edit them: {exc.message}") from exc


def edit(conn: Connection, **changes) -> None:
    """Change some settings of a stored connection; the whole result is checked before it is kept."""
    merged = {**(conn.settings or {}), **changes}
    check(conn.vendor, merged)
    conn.settings = merged
