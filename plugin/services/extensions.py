"""Extensions: either partner proposes, the other agrees, and the programme's policy caps how many.

The other partner is told of a proposal, and both of an agreement, in the same transaction.
"""

from __future__ import annotations

from ..domain.completion import may_extend
from ..errors import Forbidden, ValidationError
from ..models import ExtensionProposal, Programme, utcnow
from . import agreements, announcements, audit
from .tenant import Tenant


def _cap(tenant: Tenant, pair) -> Programme:
    programme = tenant.get(Programme, pair.programme_id)
    if not may_extend(pair.extensions, programme.max_extensions):
        raise ValidationError(
            f"This programme allows {programme.max_extensions} extension(s) per pair, and they have been used"
        )
    return programme


def propose(tenant: Tenant, pair_id: int, employee_id: int) -> ExtensionProposal:
    """Open a proposal to extend the pair by the programme's extension length."""
    pair, role = agreements.started_pair(tenant, pair_id, employee_id)
    programme = _cap(tenant, pair)
    if open_proposal(tenant, pair.id):
        raise ValidationError("An extension is already proposed; your partner can agree to it")
    row = tenant.add(ExtensionProposal(pair_id=pair.id, proposed_by_role=role, weeks=programme.extension_weeks))
    tenant.session.flush()
    announcements.extension_proposed(tenant, pair, row)
    audit.record(tenant, f"employee:{employee_id}", "extension.proposed", "pair", pair.id)
    return row


def decide(tenant: Tenant, proposal_id: int, employee_id: int, agree: bool) -> ExtensionProposal:
    """The other partner agrees (the pair runs longer) or declines."""
    row = tenant.get(ExtensionProposal, proposal_id)
    pair, role = agreements.started_pair(tenant, row.pair_id, employee_id)
    if row.status != "open":
        raise ValidationError(f"This proposal is already {row.status}")
    if role == row.proposed_by_role:
        raise Forbidden("Your partner has to agree to the extension you proposed")
    if agree:
        _cap(tenant, pair)
        pair.extensions += 1
    row.status, row.decided_at = ("agreed" if agree else "declined"), utcnow()
    tenant.session.flush()
    if agree:
        announcements.extension_agreed(tenant, pair, row)
    audit.record(tenant, f"employee:{employee_id}", f"extension.{row.status}", "pair", pair.id)
    return row


def open_proposal(tenant: Tenant, pair_id: int) -> ExtensionProposal | None:
    found = tenant.all(ExtensionProposal, ExtensionProposal.pair_id == pair_id, ExtensionProposal.status == "open")
    return found[0] if found else None
