"""Structured JSON logs with a request id; secrets and personal data are redacted before writing."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid

SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authori[sz]ation|private[_-]?key|cookie)", re.IGNORECASE
)
SECRET_VALUES = [
    re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),  # JWTs
    re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}"),  # Fernet tokens
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),  # email addresses
    re.compile(r"(?i)((?:access|refresh|id)_token|client_secret|password|wstoken)=[^&\s]+"),
]
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")  # an incoming X-Request-ID we keep
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    """Mask anything that looks like a credential, token or email address."""
    for pattern in SECRET_VALUES:
        text = pattern.sub(lambda m: m.group(0)[:6] + "[redacted]", text)
    return text


def _clean(key: str, value):
    if SECRET_KEYS.search(key):
        return "[redacted]"
    if isinstance(value, dict):
        return {k: _clean(k, v) for k, v in value.items()}
    if isinstance(value, str):
        return redact(value)
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and safe extras."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        request_id = _request_id()
        if request_id:
            data["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in STANDARD and not key.startswith("_"):
                data[key] = _clean(key, value)
        if record.exc_info:
            data["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(data, default=str)


def _request_id() -> str | None:
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover
        return None
    return getattr(g, "request_id", None) if has_request_context() else None


def configure(level: str = "INFO") -> None:
    """Send JSON logs to stderr, once per process."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app) -> None:
    """Give each request an id (kept from X-Request-ID when sane) and echo it back."""
    from flask import g, request

    @app.before_request
    def _assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        return response
