"""Who of a pair is acting: the two partners, and the pair only while it runs."""

from __future__ import annotations

from ..errors import Forbidden, ValidationError
from ..models import RUNNING_PAIR, Pair
from .tenant import Tenant


def partner_role(pair: Pair, employee_id: int) -> str:
    """'mentor' or 'mentee' for a partner of the pair; Forbidden for anyone else."""
    if employee_id == pair.mentor_employee_id:
        return "mentor"
    if employee_id == pair.mentee_employee_id:
        return "mentee"
    raise Forbidden("Only the two partners of a pair can do this")


def live_pair(tenant: Tenant, pair_id: int, employee_id: int) -> tuple[Pair, str]:
    """The pair, if it is running and the employee is one of its partners, with their role."""
    pair = tenant.get(Pair, pair_id)
    role = partner_role(pair, employee_id)
    if pair.status not in RUNNING_PAIR:
        raise ValidationError(f"This pair is {pair.status}; this can only be done while it is running")
    return pair, role
