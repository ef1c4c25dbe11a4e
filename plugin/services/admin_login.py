"""One-time login links into the admin workspace for the standalone deployment (no LMS to launch from)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.roles import HR_ADMIN  # the role an LTI admin launch puts in the session, too
from ..errors import Forbidden
from ..models import AdminLoginLink, utcnow
from . import audit
from .organisations import tenant_for
from .tenant import Tenant

LIFETIME = timedelta(minutes=15)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(session: Session, organisation: str | int, actor: str = "cli") -> str:
    """A fresh one-time token for an organisation's admin workspace; valid for 15 minutes."""
    tenant = tenant_for(session, organisation)
    token = secrets.token_urlsafe(32)
    tenant.add(AdminLoginLink(token_hash=_digest(token), expires_at=utcnow() + LIFETIME))
    audit.record(tenant, actor, "admin.login_link", "organisation", tenant.organisation_id)
    return token


def redeem(session: Session, token: str, now: datetime | None = None) -> Tenant:
    """The organisation a link is for; the link is spent. Unknown, used or expired links are refused."""
    row = session.scalar(
        select(AdminLoginLink)
        .where(AdminLoginLink.token_hash == _digest(token or ""))
        .execution_options(all_tenants=True)
    )  # the link names the tenant
    now = now or utcnow()
    if row is None or row.used_at is not None or _aware(row.expires_at) <= now:
        raise Forbidden("This login link is unknown, already used or expired. Ask for a new one.", status=403)
    row.used_at = now
    tenant = Tenant(session, row.organisation_id)
    audit.record(tenant, "login_link", "admin.signed_in", "organisation", row.organisation_id)
    return tenant


def session_user(organisation_id: int) -> dict:
    """The session's user for an admin who came in by a login link (the keys an LTI launch sets)."""
    return {
        "organisation_id": organisation_id,
        "employee_id": None,
        "role": HR_ADMIN,
        "lms_role": HR_ADMIN,
        "registration_id": None,
        "launch_id": "login-link",
        "locale": None,
        "missing_scopes": [],
    }


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
