"""Creating and finding organisations (tenants)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..models import Organisation
from .tenant import Tenant

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def create_organisation(session: Session, slug: str, name: str) -> Organisation:
    """Create a tenant; the slug is its stable, URL-safe handle."""
    if not SLUG.match(slug or ""):
        raise ValidationError("An organisation slug is 2-63 lowercase letters, digits or dashes", errors={"slug": slug})
    if session.scalar(select(Organisation).where(Organisation.slug == slug)):
        raise ValidationError(f"Organisation {slug!r} already exists", errors={"slug": "taken"})
    org = Organisation(slug=slug, name=name.strip() or slug, settings={})
    session.add(org)
    session.flush()
    return org


def find_organisation(session: Session, slug_or_id: str | int) -> Organisation:
    """An organisation by slug or numeric id."""
    if isinstance(slug_or_id, int) or str(slug_or_id).isdigit():
        org = session.get(Organisation, int(slug_or_id))
    else:
        org = session.scalar(select(Organisation).where(Organisation.slug == slug_or_id))
    if org is None:
        raise NotFound(f"No organisation {slug_or_id!r}")
    return org


def tenant_for(session: Session, slug_or_id: str | int) -> Tenant:
    return Tenant(session, find_organisation(session, slug_or_id).id)
