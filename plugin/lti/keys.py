"""Our RSA signing keys: generated on first use, stored encrypted, published as a JWKS, rotated on demand.

Statuses: `active` signs; `next` is published ahead of rotation so platforms cache it before it signs;
`previous` (the key that signed until the last rotation) stays published until the next rotation retires it.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import db
from ..models.lti import ToolKey
from ..services import credentials, secrets
from ..vault import Vault

PUBLISHED = ("active", "next", "previous")
CACHE_SECONDS = 30.0  # other processes see a rotation within this time

secrets.register(ToolKey, "private_key_ciphertext")


@dataclass(frozen=True)
class SigningKey:
    """The private key that signs our messages and client assertions, with its kid."""

    kid: str
    private_pem: str

    def __repr__(self) -> str:
        return f"<SigningKey {self.kid}>"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_key(vault: Vault, status: str) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    jwk = {"kty": "RSA", "alg": "RS256", "use": "sig", "e": _b64(numbers.e), "n": _b64(numbers.n)}
    jwk["kid"] = hashlib.sha256(jwk["n"].encode()).hexdigest()[:16]
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return ToolKey(kid=jwk["kid"], status=status, private_key_ciphertext=vault.encrypt(pem), public_jwk=jwk)


def ensure_keys(session: Session, vault: Vault) -> None:
    """Create the active and next keys on first run; a no-op afterwards."""
    have = {k.status for k in session.scalars(select(ToolKey).where(ToolKey.status.in_(("active", "next"))))}
    for status in ("active", "next"):
        if status not in have:
            session.add(_new_key(vault, status))
    if len(have) < 2:
        session.commit()
        _CACHE.clear()


def rotate(session: Session, vault: Vault) -> tuple[str, str]:
    """Next becomes active, active stays published as previous, previous is retired.

    Returns the (old, new) active kids."""
    ensure_keys(session, vault)
    rows = {k.status: k for k in session.scalars(select(ToolKey).where(ToolKey.status.in_(PUBLISHED)))}
    if "previous" in rows:
        rows["previous"].status = "retired"
    rows["active"].status = "previous"
    rows["next"].status = "active"
    session.flush()
    session.add(_new_key(vault, "next"))
    session.commit()
    _CACHE.clear()
    return rows["active"].kid, rows["next"].kid


def jwks(session: Session, vault: Vault) -> dict:
    """The public keys platforms may verify us with: active, next and previous."""
    ensure_keys(session, vault)
    order = {s: i for i, s in enumerate(PUBLISHED)}
    rows = session.scalars(select(ToolKey).where(ToolKey.status.in_(PUBLISHED))).all()
    return {"keys": [k.public_jwk for k in sorted(rows, key=lambda k: order[k.status])]}


_LOCK = threading.Lock()


class _Cache(dict):
    """Per-app cache of the decrypted active key (an app is one database)."""

    def clear(self) -> None:
        try:
            from flask import current_app

            current_app.extensions.pop("flipside.lti.signing_key", None)
        except RuntimeError:  # no app context: nothing cached
            pass


_CACHE = _Cache()


def signing_key(session: Session, vault: Vault) -> SigningKey:
    """The active key, decrypted once per process (per app) and refreshed every CACHE_SECONDS."""
    from flask import current_app

    with _LOCK:
        cached = current_app.extensions.get("flipside.lti.signing_key")
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    ensure_keys(session, vault)
    row = session.scalars(select(ToolKey).where(ToolKey.status == "active")).one()
    key = SigningKey(kid=row.kid, private_pem=vault.decrypt(row.private_key_ciphertext))
    with _LOCK:
        current_app.extensions["flipside.lti.signing_key"] = (time.monotonic(), key)
    return key


def _credential_signing_key() -> tuple[str, str]:
    key = signing_key(db.session, current_app.extensions["flipside.vault"])
    return key.kid, key.private_pem


def _credential_jwks() -> dict:
    return jwks(db.session, current_app.extensions["flipside.vault"])


def install() -> None:
    """Credentials are signed with the tool's LTI key and verified against its JWKS (one key set)."""
    credentials.KEYS.signing, credentials.KEYS.jwks = _credential_signing_key, _credential_jwks
