"""API tokens for HR admins' BI tools: issued once, stored as SHA-256 hashes, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Forbidden
from ..models import ApiToken, utcnow
from . import audit
from .tenant import Tenant

PREFIX = "fsk_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(tenant: Tenant, name: str, actor: str = "admin") -> str:
    """Create a token and return its plaintext: the only time it is ever visible."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = tenant.add(ApiToken(name=name, token_hash=_digest(token)))
    tenant.session.flush()
    audit.record(tenant, actor, "api_token.issued", "api_token", row.id)
    return token


def authenticate(session: Session, header: str | None) -> Tenant:
    """The organisation an `Authorization: Bearer` header speaks for, or Forbidden."""
    return Tenant(session, token_for(session, header).organisation_id)


def token_for(session: Session, header: str | None) -> ApiToken:
    """The live API token an `Authorization: Bearer` header carries (its use is stamped), or Forbidden."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(PREFIX):
        raise Forbidden("An API token is required: Authorization: Bearer fsk_...", status=401)
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token.strip())).execution_options(all_tenants=True)
    )  # the token names the tenant
    if row is None or row.revoked_at is not None:
        raise Forbidden("This API token is unknown or revoked", status=401)
    row.last_used_at = utcnow()
    return row


def revoke(tenant: Tenant, token_id: int, actor: str = "admin") -> None:
    row = tenant.get(ApiToken, token_id)
    row.revoked_at = utcnow()
    audit.record(tenant, actor, "api_token.revoked", "api_token", row.id)
