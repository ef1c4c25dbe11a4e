"""Registering platforms by hand (admin form, `flipside platform add`) and attaching organisations."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..models.lti import LtiDeployment, LtiDeploymentOrganisation, LtiRegistration, LtiRegistrationEvent

AGS_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
TOOL_SCOPES = (*AGS_SCOPES, NRPS_SCOPE)


@dataclass(frozen=True)
class PlatformInput:
    """What an admin types (or a dynamic registration returns) to register one platform client."""

    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str = ""
    name: str = ""
    product: str = "other"
    auth_audience: str = ""
    deployment_ids: tuple[str, ...] = ()
    scopes: tuple[str, ...] = TOOL_SCOPES
    status: str = "active"
    trusted_hosts: tuple[str, ...] = ()


TRACKED = (
    "name",
    "product",
    "status",
    "auth_login_url",
    "auth_token_url",
    "key_set_url",
    "auth_audience",
    "scopes",
    "config_origin",
    "trusted_hosts",
)


def _check(data: PlatformInput) -> None:
    errors = {}
    for field in ("issuer", "auth_login_url", "auth_token_url", "key_set_url"):
        value = getattr(data, field)
        if not value or urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
            errors[field] = "an absolute http(s) URL"
    if not data.client_id.strip():
        errors["client_id"] = "required"
    if any(not host or "/" in host or ":" in host or " " in host for host in data.trusted_hosts):
        errors["trusted_hosts"] = "host names only, e.g. lms.example.edu"
    if errors:
        raise ValidationError("The platform registration is incomplete", errors=errors)


def find(session: Session, issuer: str, client_id: str) -> LtiRegistration | None:
    """The registration for issuer + client_id, if any."""
    return session.scalar(
        select(LtiRegistration).where(LtiRegistration.issuer == issuer, LtiRegistration.client_id == client_id)
    )


def save_platform(
    session: Session,
    data: PlatformInput,
    *,
    actor: str = "system",
    organisation_id: int | None = None,
    config_origin: str | None = None,
) -> LtiRegistration:
    """Create or update the registration for issuer + client_id, add its deployments and record the change.
    Callers decide whether the caller may change an existing one (see plugin/lti/ownership.py)."""
    _check(data)
    row = find(session, data.issuer, data.client_id)
    before = {} if row is None else {f: getattr(row, f) for f in TRACKED}
    if row is None:
        row = LtiRegistration(issuer=data.issuer, client_id=data.client_id)
        session.add(row)
    row.name, row.product, row.status = data.name or data.issuer, data.product, data.status
    row.auth_login_url, row.auth_token_url = data.auth_login_url, data.auth_token_url
    row.key_set_url, row.auth_audience, row.scopes = data.key_set_url, data.auth_audience or None, list(data.scopes)
    row.trusted_hosts = sorted({h.lower() for h in data.trusted_hosts} | set(row.trusted_hosts or []))
    if config_origin is not None:
        row.config_origin = config_origin
    session.flush()
    changes = {f: [before.get(f), getattr(row, f)] for f in TRACKED if before.get(f) != getattr(row, f)}
    session.add(
        LtiRegistrationEvent(
            registration_id=row.id,
            organisation_id=organisation_id,
            actor=actor,
            action="updated" if before else "created",
            changes=changes,
        )
    )
    for deployment_id in data.deployment_ids:
        deployment(session, row, deployment_id)
    session.commit()
    return row


def owners(session: Session, registration_id: int) -> set[int]:
    """The organisations any deployment of this registration serves."""
    return set(
        session.scalars(
            select(LtiDeploymentOrganisation.organisation_id)
            .join(LtiDeployment, LtiDeployment.id == LtiDeploymentOrganisation.deployment_pk)
            .where(LtiDeployment.registration_id == registration_id)
            .execution_options(all_tenants=True)  # ownership is about every organisation a registration serves
        )
    )


def deployment(session: Session, registration: LtiRegistration, deployment_id: str) -> LtiDeployment:
    """The deployment row, created on first sight."""
    row = session.scalar(
        select(LtiDeployment).where(
            LtiDeployment.registration_id == registration.id, LtiDeployment.deployment_id == deployment_id
        )
    )
    if row is None:
        row = LtiDeployment(registration_id=registration.id, deployment_id=deployment_id)
        session.add(row)
        session.flush()
    return row


def attach_organisation(
    session: Session, registration_id: int, deployment_id: str, organisation_id: int, actor: str = "system"
) -> None:
    """Let a deployment serve an organisation (a deployment may serve several)."""
    registration = session.get(LtiRegistration, registration_id)
    if registration is None:
        raise NotFound(f"No LTI registration {registration_id}")
    row = deployment(session, registration, deployment_id)
    exists = session.scalar(
        select(LtiDeploymentOrganisation).where(LtiDeploymentOrganisation.deployment_pk == row.id),
        execution_options={"organisation_id": organisation_id},
    )
    if exists is None:
        session.add(LtiDeploymentOrganisation(deployment_pk=row.id, organisation_id=organisation_id))
        session.add(
            LtiRegistrationEvent(
                registration_id=registration_id,
                organisation_id=organisation_id,
                actor=actor,
                action="organisation_attached",
                changes={"deployment_id": [None, deployment_id]},
            )
        )
    session.commit()


def activate(session: Session, registration_id: int) -> LtiRegistration:
    """Turn a pending (dynamically registered) platform on."""
    row = session.get(LtiRegistration, registration_id)
    if row is None:
        raise NotFound(f"No LTI registration {registration_id}")
    if row.status != "active":
        session.add(
            LtiRegistrationEvent(
                registration_id=row.id, actor="cli", action="activated", changes={"status": [row.status, "active"]}
            )
        )
    row.status = "active"
    session.commit()
    return row


def tool_urls(base_url: str) -> dict[str, str]:
    """The URLs an LMS admin pastes into the LMS when registering Flipside by hand."""
    return {
        "OIDC login (initiate login) URL": f"{base_url}/lti/login",
        "Redirect URI / target link URI": f"{base_url}/lti/launch",
        "Public keyset (JWKS) URL": f"{base_url}/lti/jwks.json",
        "Dynamic registration URL": f"{base_url}/lti/register",
        "Canvas developer key JSON URL": f"{base_url}/lti/canvas.json",
        "Deep linking URL": f"{base_url}/lti/launch",
    }


def register_by_hand(session: Session, data: PlatformInput, org_slugs=()) -> LtiRegistration:
    """Save a platform typed in by an admin and let its deployments serve the named organisations."""
    from ..services.organisations import find_organisation

    org_ids = [find_organisation(session, slug).id for slug in org_slugs]
    row = save_platform(session, data, actor="cli")
    for deployment_id in data.deployment_ids:
        for org_id in org_ids:
            attach_organisation(session, row.id, deployment_id, org_id, actor="cli")
    return row


def activate_for(session: Session, registration_id: int, org_slugs) -> LtiRegistration:
    """Activate a platform and attach all its deployments to the named organisations."""
    from ..services.organisations import find_organisation

    row = activate(session, registration_id)
    for org_id in [find_organisation(session, slug).id for slug in org_slugs]:
        for dep in row.deployments:
            attach_organisation(session, row.id, dep.deployment_id, org_id, actor="cli")
    return row
