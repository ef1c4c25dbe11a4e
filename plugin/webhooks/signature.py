"""Webhook authenticity checks over the raw body, before anything parses it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import time

from plugin.errors import SignatureError

DEFAULT_TOLERANCE = 300.0  # seconds either side of now; replays older than this are refused


def bamboohr_signature(body: bytes, timestamp: str, private_key: str) -> str:
    """Lower-case hex HMAC-SHA256 with the webhook's private key over the raw body then the timestamp."""
    return hmac.new(private_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def verify_bamboohr(
    body: bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    private_key: str,
    now: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> None:
    """Raise SignatureError unless the delivery is BambooHR's and fresh.

    Enforces BambooHR's webhook rule: `X-BambooHR-Signature` is the hex HMAC-SHA256, keyed with the
    private key returned when the webhook was created, of the raw request body immediately followed by
    the `X-BambooHR-Timestamp` string (epoch seconds, no separator). The timestamp must lie within
    `tolerance` seconds of now so a captured delivery cannot be replayed later.
    """
    if not signature or not timestamp:
        raise SignatureError("missing X-BambooHR-Signature or X-BambooHR-Timestamp")
    try:
        sent_at = float(timestamp.strip())
    except ValueError as err:
        raise SignatureError("X-BambooHR-Timestamp is not epoch seconds") from err
    if not math.isfinite(sent_at):  # float() reads "nan" and "inf", and nan compares false with everything
        raise SignatureError("X-BambooHR-Timestamp is not a finite number of epoch seconds")
    expected = bamboohr_signature(body, timestamp.strip(), private_key)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureError("X-BambooHR-Signature does not match the body")
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        raise SignatureError("X-BambooHR-Timestamp is outside the accepted window")


def verify_basic(authorization: str | None, *, username: str, secret: str) -> None:
    """Raise SignatureError unless the Authorization header is HTTP Basic with the connection's secret.

    Workday outbound notifications authenticate to the subscribed endpoint with HTTP Basic
    credentials configured on the integration (Workday cannot sign bodies); both parts are compared
    in constant time, and the endpoint must be HTTPS so the secret is never sent in clear.
    """
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise SignatureError("missing Basic credentials")
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as err:
        raise SignatureError("malformed Basic credentials") from err
    user_ok = hmac.compare_digest(user.encode(), username.encode())
    if not (hmac.compare_digest(password.encode(), secret.encode()) and user_ok):
        raise SignatureError("wrong Basic credentials")
