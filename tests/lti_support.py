"""A hand-made LTI platform for tests: its own RSA keys, signed id_tokens, and a login -> launch driver."""

from __future__ import annotations

import base64
import html
import re
import time
import uuid
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from plugin import create_app
from plugin.db import db
from plugin.lti.platform_keys import PLATFORM_KEYS
from plugin.lti.registrations import PlatformInput, attach_organisation, save_platform
from plugin.lti.runtime import launch_store
from plugin.web.security import ORIGINS

BASE = "https://tool.test"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


class Platform:
    """An LMS as the tool sees it: issuer, client, deployment, keys, and the id_tokens it signs."""

    def __init__(self, issuer="https://lms.test", client_id="client-1", deployment_id="dep-1"):
        self.issuer, self.client_id, self.deployment_id = issuer, client_id, deployment_id
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.published: list[str] = []
        self.kid = self.add_key(publish=True)

    @property
    def jwks_url(self) -> str:
        return self.issuer + "/jwks"

    def add_key(self, publish: bool) -> str:
        kid = uuid.uuid4().hex[:12]
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if publish:
            self.published.append(kid)
        return kid

    def jwks(self) -> dict:
        out = []
        for kid in self.published:
            numbers = self.keys[kid].public_key().public_numbers()
            out.append(
                {
                    "kty": "RSA",
                    "kid": kid,
                    "alg": "RS256",
                    "use": "sig",
                    "e": _b64(numbers.e),
                    "n": _b64(numbers.n),
                }
            )
        return {"keys": out}

    def pem(self, kid: str) -> bytes:
        return self.keys[kid].private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def claims(self, nonce: str, *, roles=(LEARNER,), sub="lms-user-1", email="ada@example.com", **extra) -> dict:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": email,
            "name": "Ada Lovelace",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "roles": list(roles),
            CLAIM + "target_link_uri": BASE + "/lti/launch",
            CLAIM + "resource_link": {"id": "rl-1"},
            CLAIM + "context": {"id": "course-1"},
            CLAIM + "launch_presentation": {"locale": "en"},
        }
        body.update(extra)
        return {k: v for k, v in body.items() if v is not None}

    def sign(self, claims: dict, kid: str | None = None, alg: str = "RS256") -> str:
        kid = kid or self.kid
        return jwt.encode(
            claims, self.keys[kid] if alg == "RS256" else self.pem(kid), algorithm=alg, headers={"kid": kid}
        )

    def register(self, session, organisation_ids=(), **changes):
        row = save_platform(
            session,
            PlatformInput(
                issuer=self.issuer,
                client_id=self.client_id,
                auth_login_url=self.issuer + "/auth",
                auth_token_url=self.issuer + "/token",
                key_set_url=self.jwks_url,
                name="Test LMS",
                deployment_ids=(self.deployment_id,),
                **changes,
            ),
        )
        for org_id in organisation_ids:
            attach_organisation(session, row.id, self.deployment_id, org_id)
        return row


def serve_jwks(mock: responses.RequestsMock, *platforms: Platform) -> None:
    for platform in platforms:
        mock.add_callback(
            responses.GET,
            platform.jwks_url,
            callback=lambda _req, p=platform: (200, {}, __import__("json").dumps(p.jwks())),
        )


def login(client, platform: Platform, target: str = BASE + "/lti/launch", **extra) -> tuple[str, str]:
    """Run the OIDC login like a browser; returns (state, nonce) read from the auth URL we are sent to."""
    data = {
        "iss": platform.issuer,
        "login_hint": "u1",
        "target_link_uri": target,
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
        **extra,
    }
    response = client.post("/lti/login", data=data, base_url=BASE)
    assert response.status_code == 200, response.get_data(as_text=True)
    query = parse_qs(urlsplit(auth_url(response.get_data(as_text=True))).query)
    return query["state"][0], query["nonce"][0]


def auth_url(page: str) -> str:
    return html.unescape(re.search(r'data-auth-url="([^"]+)"', page).group(1))


def launch(client, token: str, state: str, **extra):
    return client.post("/lti/launch", data={"id_token": token, "state": state, **extra}, base_url=BASE)


def reason(response) -> str:
    match = re.search(r"<code>([a-z_]+)</code>", response.get_data(as_text=True))
    return match.group(1) if match else ""


@pytest.fixture
def tool(settings):
    """The app on an https base URL (as in production), with the LTI caches emptied."""
    app = create_app(replace(settings, base_url=BASE))
    app.config["TESTING"] = True
    PLATFORM_KEYS.clear()
    ORIGINS.clear()  # the frame-ancestors origins of registrations other tests made
    with app.app_context():
        yield app
        db.session.rollback()
        from tests.conftest import _empty_tables

        _empty_tables()
        store = launch_store(app)
        for key in store.redis.scan_iter(match=store.prefix + ":*"):
            store.redis.delete(key)
    PLATFORM_KEYS.clear()


@pytest.fixture
def platform():
    return Platform()


@pytest.fixture
def jwks_mock(platform):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        serve_jwks(mock, platform)
        yield mock


@pytest.fixture
def org(tool, platform, jwks_mock):
    """An organisation with one employee (ada@example.com), served by the test platform's deployment."""
    from plugin.db import db
    from plugin.models import Employee
    from plugin.services.organisations import create_organisation

    org = create_organisation(db.session, "acme", "Acme Ltd")
    db.session.add(
        Employee(
            organisation_id=org.id,
            source_system="hris",
            source_id="e1",
            first_name="Ada",
            last_name="Lovelace",
            work_email="ada@example.com",
            job_title="Analyst",
        )
    )
    db.session.commit()
    platform.register(db.session, organisation_ids=[org.id])
    return org
