"""Recognition credentials: an Open Badges 3.0 achievement credential, signed as a VC-JWT (RS256).

The same credential is issued to both partners; only the role each played differs. The compact JWS
carries the credential in its `vc` claim with `iss`, `jti`, `sub` and `nbf`, as Open Badges 3.0 section 8.2
(VC-JWT) describes; its header names the signing key by `kid`, which the issuer publishes in its JWKS.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import jwt

from ..errors import CredentialInvalid

CONTEXT = ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


@dataclass(frozen=True)
class Award:
    """Who earned what, in which programme, as the credential states it."""

    uid: str
    url: str  # public verification URL (also the credential id)
    issuer_url: str
    issuer_name: str
    recipient_name: str
    recipient_email: str | None
    role: str  # mentor | mentee
    role_label: str  # e.g. "Reverse mentoring: mentor"
    programme: str
    relationship: str  # the region's framing, e.g. "knowledge exchange partnership"
    issued_at: datetime
    description: str = ""  # in the recipient's language (default: English from role and relationship)
    criteria: str = "Completed the programme's sessions and final reflection together with their partner."
    language: str = "en"  # BCP 47 tag of the texts above (Open Badges 3.0 inLanguage)


def document(award: Award) -> dict:
    """The OpenBadgeCredential for an award."""
    subject = {
        "type": ["AchievementSubject"],
        "identifier": _identifiers(award),
        "role": award.role,
        "achievement": {
            "id": f"{award.issuer_url}/achievements/reverse-mentoring-{award.role}",
            "type": ["Achievement"],
            "achievementType": "Achievement",
            "name": award.role_label,
            "description": award.description
            or f"Took part as {award.role} in the {award.relationship} of {award.programme}.",
            "criteria": {"narrative": award.criteria},
            "inLanguage": award.language,
        },
    }
    return {
        "@context": CONTEXT,
        "id": award.url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": award.role_label,
        "issuer": {"id": award.issuer_url, "type": ["Profile"], "name": award.issuer_name},
        "issuanceDate": _iso(award.issued_at),
        "validFrom": _iso(award.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {"id": f"{award.url}/status", "type": "1EdTechRevocationList"},
    }


def _identifiers(award: Award) -> list[dict]:
    out = [{"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": award.recipient_name}]
    if award.recipient_email:
        salt = award.uid[:16]
        digest = hashlib.sha256((award.recipient_email.lower() + salt).encode()).hexdigest()
        out.append(
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": f"sha256${digest}",
                "salt": salt,
            }
        )
    return out


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sign(doc: dict, kid: str, private_pem: str) -> str:
    """The compact VC-JWT of a credential document."""
    claims = {
        "vc": doc,
        "iss": doc["issuer"]["id"],
        "jti": doc["id"],
        "sub": doc["id"] + "#subject",
        "nbf": int(datetime.fromisoformat(doc["validFrom"].replace("Z", "+00:00")).timestamp()),
    }
    return jwt.encode(claims, private_pem, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})


def verify(token: str, jwks: dict) -> dict:
    """The credential document of a VC-JWT whose signature verifies with a key of `jwks`."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise CredentialInvalid(f"not a signed credential: {exc}") from exc
    keys = [k for k in jwks.get("keys", []) if k.get("kid") == kid]
    if not keys:
        raise CredentialInvalid(f"the issuer does not publish key {kid!r}")
    try:
        claims = jwt.decode(token, jwt.PyJWK(keys[0]).key, algorithms=["RS256"], options={"verify_aud": False})
    except jwt.PyJWTError as exc:
        raise CredentialInvalid(f"the signature does not verify: {exc}") from exc
    doc = claims.get("vc") or {}
    if doc.get("id") != claims.get("jti") or doc.get("issuer", {}).get("id") != claims.get("iss"):
        raise CredentialInvalid("the credential does not match its signed claims")
    return doc
