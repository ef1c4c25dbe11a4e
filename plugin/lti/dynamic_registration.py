"""LTI Dynamic Registration 1.0 (Moodle, Canvas) and the Canvas developer-key JSON.

The platform opens GET /lti/register?openid_configuration=...&registration_token=...; we read its
configuration, POST our client registration with the token as Bearer (single use), store what it answers,
and close the platform's dialog with postMessage {subject: 'org.imsglobal.lti.close'}.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..errors import ValidationError
from . import ownership
from .registrations import NRPS_SCOPE, TOOL_SCOPES, PlatformInput, attach_organisation, find, save_platform
from .rejection import LaunchRejected

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
CANVAS_PRIVACY = "https://canvas.instructure.com/lti/privacy_level"
CLAIMS = ["iss", "sub", "name", "given_name", "family_name", "email"]
INVITE_SECONDS = 7 * 86400
TITLE = "Flipside"
DESCRIPTION = "Reverse mentoring: junior colleagues mentor executives, matched from your HRIS."


class RegistrationFailed(LaunchRejected):
    """The platform's configuration or its answer to our registration was not usable."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.status = 400 if code != "platform_unreachable" else 424
        self.hint = (
            "Start the registration again from the LMS (registration tokens work once). "
            "If it keeps failing, register Flipside by hand with the URLs from `flipside platform add`."
        )


@dataclass(frozen=True)
class Registered:
    """The outcome shown to the admin."""

    registration_id: int
    client_id: str
    deployment_id: str
    product: str
    granted_scopes: tuple[str, ...]
    missing_scopes: tuple[str, ...]
    organisation_id: int | None


def invitation(secret_key: str, organisation_id: int) -> str:
    """A signed token an HR admin adds to the registration URL so the new deployment joins their org."""
    return URLSafeTimedSerializer(secret_key, salt="lti-register").dumps({"org": organisation_id})


def read_invitation(secret_key: str, token: str) -> int | None:
    if not token:
        return None
    try:
        return int(URLSafeTimedSerializer(secret_key, salt="lti-register").loads(token, max_age=INVITE_SECONDS)["org"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError("The registration invitation is invalid or has expired", code="bad_invitation") from exc


def _url(value: str, production: bool) -> str:
    """Anyone can open /lti/register, so in production the URL we fetch must be https and must not point
    into our own network (no server-side request forgery towards loopback or private addresses)."""
    parts = urlsplit(value or "")
    if parts.scheme not in (("https",) if production else ("https", "http")) or not parts.hostname:
        raise RegistrationFailed("bad_openid_configuration", "not an absolute https URL")
    if production:
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
        except OSError as exc:
            raise RegistrationFailed("platform_unreachable", "unknown host") from exc
        if any(not ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses):
            raise RegistrationFailed("bad_openid_configuration", "not a public address")
    return value


def fetch_configuration(http: requests.Session, url: str, token: str, production: bool) -> dict:
    """The platform's OpenID configuration; the token is sent as Bearer (Canvas needs it)."""
    _url(url, production)
    try:
        response = http.get(url, headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=10)
        response.raise_for_status()
        config = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise RegistrationFailed("platform_unreachable", "openid configuration") from exc
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
        if not config.get(key):
            raise RegistrationFailed("bad_openid_configuration", f"missing {key}")
    if urlsplit(config["registration_endpoint"]).netloc != urlsplit(url).netloc:
        raise RegistrationFailed("bad_openid_configuration", "registration endpoint on another host")
    if not isinstance(config["issuer"], str) or not ownership.issuer_matches_configuration(config["issuer"], url):
        raise RegistrationFailed("issuer_host_mismatch")
    return config


def product_of(config: dict) -> str:
    family = ((config.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code") or "").lower()
    return family if family in ("moodle", "canvas") else "other"


def client_registration(base_url: str, config: dict) -> dict:
    """Our registration request, shaped for the platform (Canvas wants placements and a privacy level)."""
    product = product_of(config)
    supported = set(config.get("scopes_supported") or TOOL_SCOPES)
    scopes = [s for s in TOOL_SCOPES if s in supported]
    launch = {"type": "LtiResourceLinkRequest", "target_link_uri": f"{base_url}/lti/launch", "label": TITLE}
    deep = {
        "type": "LtiDeepLinkingRequest",
        "target_link_uri": f"{base_url}/lti/launch",
        "label": f"Add {TITLE}",
    }
    tool = {
        "domain": urlsplit(base_url).netloc,
        "target_link_uri": f"{base_url}/lti/launch",
        "description": DESCRIPTION,
        "claims": CLAIMS,
        "messages": [launch, deep],
        "custom_parameters": {},
    }
    if product == "canvas":
        launch["placements"] = ["course_navigation"]
        deep["placements"] = ["link_selection"]
        tool[CANVAS_PRIVACY] = "public"
        # the REST course id, so a course Instructor coordinates the programmes linked to that course
        tool["custom_parameters"] = {"canvas_user_id": "$Canvas.user.id", "canvas_course_id": "$Canvas.course.id"}
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base_url}/lti/login",
        "redirect_uris": [f"{base_url}/lti/launch"],
        "client_name": TITLE,
        "jwks_uri": f"{base_url}/lti/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIGURATION: tool,
    }


def register(
    session: Session,
    http: requests.Session,
    *,
    base_url: str,
    openid_configuration: str,
    registration_token: str,
    organisation_id: int | None,
    production: bool,
) -> Registered:
    """Complete a dynamic registration and store the platform (active only when an org invited it)."""
    if not registration_token:
        raise RegistrationFailed("missing_parameter", "registration_token")
    config = fetch_configuration(http, openid_configuration, registration_token, production)
    body = client_registration(base_url, config)
    try:
        response = http.post(
            config["registration_endpoint"],
            json=body,
            timeout=15,
            headers={"Authorization": f"Bearer {registration_token}"},
        )
    except requests.RequestException as exc:
        raise RegistrationFailed("platform_unreachable", "registration endpoint") from exc
    if not 200 <= response.status_code < 300:  # Moodle answers 200, the spec says 201
        raise RegistrationFailed("registration_refused", f"{response.status_code} {response.text[:60]}")
    try:
        answer = response.json()
        client_id = str(answer["client_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistrationFailed("registration_refused", "no client_id in the answer") from exc
    tool = answer.get(TOOL_CONFIGURATION) or {}
    deployment_id = str(tool.get("deployment_id") or "")
    granted = tuple((answer.get("scope") or "").split())
    existing = find(session, config["issuer"], client_id)
    ownership.check_dynamic(session, existing, openid_configuration, organisation_id)
    row = save_platform(
        session,
        PlatformInput(
            issuer=config["issuer"],
            client_id=client_id,
            name=answer.get("client_name") or TITLE,
            auth_login_url=config["authorization_endpoint"],
            auth_token_url=config["token_endpoint"],
            key_set_url=config["jwks_uri"],
            product=product_of(config),
            deployment_ids=(deployment_id,) if deployment_id else (),
            scopes=granted,
            # an Update keeps the status the operator or the invitation gave it
            status=existing.status if existing else ("active" if organisation_id else "pending"),
        ),
        actor="dynamic registration",
        organisation_id=organisation_id,
        config_origin=ownership.origin(openid_configuration),
    )
    if organisation_id and deployment_id:
        attach_organisation(session, row.id, deployment_id, organisation_id, actor="dynamic registration")
    wanted = set(body["scope"].split())
    return Registered(
        row.id,
        row.client_id,
        deployment_id,
        row.product,
        granted,
        tuple(sorted(wanted - set(granted))),
        organisation_id,
    )


def canvas_developer_key(base_url: str) -> dict:
    """The JSON an admin pastes (or links) in Canvas > Developer Keys > LTI Key > Paste JSON / Enter URL."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "oidc_initiation_url": f"{base_url}/lti/login",
        "target_link_uri": f"{base_url}/lti/launch",
        "public_jwk_url": f"{base_url}/lti/jwks.json",
        "scopes": [s for s in TOOL_SCOPES if s != NRPS_SCOPE] + [NRPS_SCOPE],
        "custom_fields": {"canvas_user_id": "$Canvas.user.id", "canvas_course_id": "$Canvas.course.id"},
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "domain": urlsplit(base_url).netloc,
                "tool_id": "flipside",
                "settings": {
                    "placements": [
                        {
                            "placement": "course_navigation",
                            "message_type": "LtiResourceLinkRequest",
                            "target_link_uri": f"{base_url}/lti/launch",
                            "text": TITLE,
                            "default": "enabled",
                        },
                        {
                            "placement": "link_selection",
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": f"{base_url}/lti/launch",
                            "text": f"Add {TITLE}",
                        },
                    ]
                },
            }
        ],
    }
