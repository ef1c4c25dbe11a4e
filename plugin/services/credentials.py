"""Recognition: the same signed credential for both partners, public verification, and revocation by HR."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import credential as vc
from ..errors import ConfigError, NotFound, ValidationError
from ..models import Completion, Credential, Employee, Organisation, Pair, Programme, utcnow
from . import announcements, audit, framing
from .tenant import Tenant


def _not_installed():
    raise ConfigError("no credential signing key is installed (create_app installs the LTI tool's keys)")


@dataclass
class Keys:
    """The tool's signing key (kid, private PEM) and its published JWKS: the LTI keys by default."""

    signing: Callable[[], tuple[str, str]] = _not_installed
    jwks: Callable[[], dict] = _not_installed


KEYS = Keys()


def issue_for_pair(tenant: Tenant, pair_id: int, base_url: str) -> list[Credential]:
    """Issue (once) a credential to each partner of a completed pair, naming the role each played, and tell both."""
    pair = tenant.get(Pair, pair_id)
    if not tenant.all(Completion, Completion.pair_id == pair.id):
        raise ValidationError("Credentials are issued when the pair completes")
    issued = {c.role: c for c in tenant.all(Credential, Credential.pair_id == pair.id)}
    fresh = False
    for role, employee_id in (("mentor", pair.mentor_employee_id), ("mentee", pair.mentee_employee_id)):
        if role not in issued:
            issued[role] = _issue(tenant, pair, role, tenant.get(Employee, employee_id), base_url)
            fresh = True
    tenant.session.flush()
    both = [issued["mentor"], issued["mentee"]]
    if fresh:  # completion and the credential link, to both, in the issuing transaction
        announcements.completed(tenant, pair, both, base_url)
    return both


def _issue(tenant: Tenant, pair: Pair, role: str, person: Employee, base_url: str) -> Credential:
    programme = tenant.get(Programme, pair.programme_id)
    org = tenant.session.get(Organisation, tenant.organisation_id)
    locale = framing.reader_locale(person)
    wording = framing.for_person(person, programme.framing, locale=locale)
    uid = uuid.uuid4().hex
    award = vc.Award(
        uid=uid,
        url=f"{base_url}/credentials/{uid}",
        issuer_url=f"{base_url}/issuers/{org.slug}",
        issuer_name=org.name,
        recipient_name=_name(person),
        recipient_email=person.work_email,
        role=role,
        role_label=wording.title(role),
        programme=programme.name,
        relationship=wording.relationship,
        issued_at=utcnow(),
        language=locale,
        **framing.credential_texts(wording, role, programme.name),
    )
    doc = vc.document(award)
    kid, pem = KEYS.signing()
    row = tenant.add(
        Credential(uid=uid, pair_id=pair.id, employee_id=person.id, role=role, document=doc, jws=vc.sign(doc, kid, pem))
    )
    audit.record(tenant, "system", "credential.issued", "pair", pair.id, role=role, credential=uid)
    return row


def _name(person: Employee) -> str:
    return person.display_name or f"{person.preferred_name or person.first_name} {person.last_name}".strip()


def revoke(tenant: Tenant, uid: str, reason: str, actor: str) -> Credential:
    """HR revokes a credential, with a reason that the public verification page shows."""
    if not reason.strip():
        raise ValidationError("Give a reason for the revocation", errors={"reason": "required"})
    found = tenant.all(Credential, Credential.uid == uid)
    if not found:
        raise NotFound("No such credential in this organisation")
    found[0].revoked_at, found[0].revoked_reason = utcnow(), reason.strip()[:300]
    audit.record(tenant, actor, "credential.revoked", "credential", uid)
    return found[0]


def for_employee(tenant: Tenant, employee_id: int) -> list[Credential]:
    return tenant.all(Credential, Credential.employee_id == employee_id)


@dataclass(frozen=True)
class Verification:
    """What the public verification page states about a credential."""

    valid: bool
    revoked: bool
    reason: str
    document: dict | None


def public(session: Session, uid: str) -> Credential:
    """A credential by its public id (any organisation: the id is unguessable and meant to be shared)."""
    row = session.scalars(select(Credential).where(Credential.uid == uid).execution_options(all_tenants=True)).first()
    if row is None:
        raise NotFound("No credential has this address")
    return row


def verify_token(token: str, row: Credential | None = None) -> Verification:
    """Check a credential's signature against the tool's published keys, and (given its row) revocation."""
    try:
        doc = vc.verify(token, KEYS.jwks())
    except vc.CredentialInvalid as exc:
        return Verification(valid=False, revoked=False, reason=str(exc), document=None)
    if row is not None and row.revoked_at is not None:
        return Verification(valid=False, revoked=True, reason=row.revoked_reason, document=doc)
    return Verification(valid=True, revoked=False, reason="", document=doc)
