"""Deep Linking 2.0: an instructor picks what Flipside places in the course; the offer is a small provider."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource

from .rejection import LaunchRejected
from .tool_conf import DbToolConf

SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


@dataclass(frozen=True)
class OfferedItem:
    """One thing an instructor can place in a course: a title, a Flipside URL, custom parameters."""

    title: str
    url: str
    custom: dict[str, str] = field(default_factory=dict)


def offered_items(organisation_id: int, base_url: str | None = None) -> list[OfferedItem]:
    """What this organisation can place in a course. Programmes will add one item each (custom
    `programme_id`); until they exist, the Flipside home is the one item."""
    if base_url is None:
        from flask import current_app

        base_url = current_app.config["FLIPSIDE"].base_url
    return [
        OfferedItem(
            "Flipside reverse mentoring",
            f"{base_url}/lti/launch",
            {"flipside_item": "home", "flipside_org": str(organisation_id)},
        )
    ]


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_return_url(tool_conf: DbToolConf, claims: dict, *, production: bool) -> str:
    """Deep Linking 2.0 section 4.4.1 / Security Framework 5.1.1: the response is signed for the platform,
    so it is only ever posted back to it. The return URL must be https (http only to loopback outside
    production) on a host the registration already trusts: its login or token URL's, or one an admin added."""
    url = (claims.get(SETTINGS) or {}).get("deep_link_return_url")
    if not url or not isinstance(url, str):
        raise LaunchRejected("deep_linking_settings_missing")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    plain_ok = not production and _loopback(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and plain_ok):
        raise LaunchRejected("return_url_not_trusted", "not https")
    row = tool_conf.row(claims.get("iss"), _client_id(claims))
    if row is None:
        raise LaunchRejected("unknown_registration")
    trusted = {(urlsplit(u).hostname or "").lower() for u in (row.auth_login_url, row.auth_token_url)}
    if host not in trusted | set(row.trusted_hosts):
        raise LaunchRejected("return_url_not_trusted", "other host")
    return url


def response_jwt(
    tool_conf: DbToolConf, claims: dict, items: list[OfferedItem], *, production: bool = True
) -> tuple[str, str]:
    """The signed LtiDeepLinkingResponse and the (checked) return URL to post it to."""
    check_return_url(tool_conf, claims, production=production)
    settings = claims.get(SETTINGS) or {}
    row = tool_conf.row(claims["iss"], _client_id(claims))
    if row is None:
        raise LaunchRejected("unknown_registration")
    link = DeepLink(tool_conf.as_registration(row), claims[CLAIM + "deployment_id"], settings)
    resources = [DeepLinkResource().set_title(i.title).set_url(i.url).set_custom_params(i.custom) for i in items]
    return link.get_response_jwt(resources), settings["deep_link_return_url"]


def _client_id(claims: dict) -> str:
    aud = claims.get("aud")
    return claims.get("azp") or (aud[0] if isinstance(aud, list) else aud)
