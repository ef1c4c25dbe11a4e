"""The part of a launch Flipside keeps: the claims it reads later, each bounded, nothing else.

A launch is kept in Redis for hours (deep linking reads it back), so a platform, or anyone holding its
key, cannot park a megabyte of arbitrary claims there: unknown claims are dropped, strings and lists cut.
"""

from __future__ import annotations

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
KEPT = (
    "iss",
    "aud",
    "azp",
    "sub",
    "exp",
    "iat",
    "nonce",
    "email",
    "name",
    "given_name",
    "family_name",
    CLAIM + "deployment_id",
    CLAIM + "message_type",
    CLAIM + "version",
    CLAIM + "roles",
    CLAIM + "target_link_uri",
    CLAIM + "resource_link",
    CLAIM + "context",
    CLAIM + "lis",
    CLAIM + "launch_presentation",
    CLAIM + "custom",
    "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
    "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice",
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
)
MAX_TEXT = 2048  # the longest URL or value Flipside uses back (a deep linking `data` echo included)
MAX_ITEMS = 32  # roles, scopes, accepted types, custom fields
MAX_DEPTH = 3


def _bounded(value, depth: int = 0):
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, list) and depth < MAX_DEPTH:
        return [_bounded(v, depth + 1) for v in value[:MAX_ITEMS]]
    if isinstance(value, dict) and depth < MAX_DEPTH:
        return {str(k)[:200]: _bounded(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, bool | int | float) or value is None:
        return value
    return None


def trimmed(claims: dict) -> dict:
    """Only the claims Flipside reads, each bounded in size."""
    return {k: _bounded(claims[k]) for k in KEPT if k in claims}
