"""Confidentiality agreements: each partner accepts their programme's current version before the pair starts."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotAgreed, ValidationError
from ..models import AgreementAcceptance, Pair, Programme
from . import audit, partners
from .tenant import Tenant


@dataclass(frozen=True)
class AgreementState:
    """The programme's current agreement and who of the pair has accepted that version."""

    version: int
    text: str  # empty: the page shows the standard wording from the catalogue
    mine: bool
    partners: bool

    @property
    def both(self) -> bool:
        return self.mine and self.partners


def state(tenant: Tenant, pair: Pair, employee_id: int) -> AgreementState:
    """Whether this partner and the other have accepted the version in force now."""
    programme = tenant.get(Programme, pair.programme_id)
    rows = tenant.all(
        AgreementAcceptance,
        AgreementAcceptance.pair_id == pair.id,
        AgreementAcceptance.version == programme.agreement_version,
    )
    people = {row.employee_id for row in rows}
    other = pair.mentee_employee_id if employee_id == pair.mentor_employee_id else pair.mentor_employee_id
    return AgreementState(
        programme.agreement_version, programme.agreement_text or "", employee_id in people, other in people
    )


def accept(tenant: Tenant, pair_id: int, employee_id: int, version: int) -> AgreementAcceptance:
    """Store one acceptance of the version the person read; a stale version is refused, a repeat is kept once."""
    pair, role = partners.live_pair(tenant, pair_id, employee_id)
    current = tenant.get(Programme, pair.programme_id).agreement_version
    if version != current:
        raise ValidationError(
            "The agreement changed since you opened it; read the current version", errors={"agreement_version": version}
        )
    found = tenant.all(
        AgreementAcceptance,
        AgreementAcceptance.pair_id == pair.id,
        AgreementAcceptance.employee_id == employee_id,
        AgreementAcceptance.version == current,
    )
    if found:
        return found[0]
    row = tenant.add(AgreementAcceptance(pair_id=pair.id, employee_id=employee_id, role=role, version=current))
    audit.record(tenant, f"employee:{employee_id}", "agreement.accepted", "pair", pair.id, version=current)
    tenant.session.flush()
    return row


def started_pair(tenant: Tenant, pair_id: int, employee_id: int) -> tuple[Pair, str]:
    """The running pair and the partner's role, once both partners accepted the agreement in force.

    Every step of a pair's life after the agreement (sessions, cancellations, reflections, extensions) goes
    through here, so pages, the API, jobs and the demo obey the same rule; leaving a pair does not.
    """
    pair, role = partners.live_pair(tenant, pair_id, employee_id)
    if not state(tenant, pair, employee_id).both:
        raise NotAgreed(
            "Both partners accept the confidentiality agreement before the first session",
            errors={"agreement": "missing"},
        )
    return pair, role
