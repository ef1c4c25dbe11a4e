"""A pair's plan: goals and an agenda both partners edit, and pre-reads shared between the two of them only.

Private like reflections: only the two partners read it (anyone else gets not-found), and it is never put in
messages, exports or HR pages; the audit trail says that something changed, never what.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.link import safe_link
from ..errors import Forbidden, NotFound, ValidationError
from ..models import Pair, PairPlan, PreRead
from ..models.core import utcnow
from . import agreements, audit, partners
from .tenant import Tenant

MAX_GOALS = 2000
MAX_AGENDA = 4000
MAX_TITLE = 200
MAX_PRE_READS = 30


@dataclass(frozen=True)
class Plan:
    """What the two partners see: their goals, their agenda and the pre-reads, oldest first."""

    goals: str
    agenda: str
    pre_reads: list[PreRead]


def _partner(tenant: Tenant, pair_id: int, employee_id: int) -> tuple[Pair, str]:
    """The pair and the role of this partner; not-found for everyone else, so a pair's plan is not even hinted."""
    pair = tenant.get(Pair, pair_id)
    try:
        return pair, partners.partner_role(pair, employee_id)
    except Forbidden:
        raise NotFound(f"No pair {pair_id} in this organisation") from None


def _editing(tenant: Tenant, pair_id: int, employee_id: int) -> tuple[Pair, str]:
    _partner(tenant, pair_id, employee_id)
    return agreements.started_pair(tenant, pair_id, employee_id)


def plan(tenant: Tenant, pair_id: int, employee_id: int) -> Plan:
    """The plan as one of the two partners sees it."""
    pair, _ = _partner(tenant, pair_id, employee_id)
    row = _row(tenant, pair.id)
    reads = sorted(tenant.all(PreRead, PreRead.pair_id == pair.id), key=lambda r: r.id)
    return Plan(row.goals if row else "", row.agenda if row else "", reads)


def _row(tenant: Tenant, pair_id: int) -> PairPlan | None:
    found = tenant.all(PairPlan, PairPlan.pair_id == pair_id)
    return found[0] if found else None


def _text(value: str, limit: int, field: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ValidationError(f"Keep this under {limit} characters", errors={field: len(text)})
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError("Remove the control characters from this text", errors={field: "control"})
    return text


def save(tenant: Tenant, pair_id: int, employee_id: int, goals: str, agenda: str) -> PairPlan:
    """Either partner saves the goals and the agenda; the latest save is what both see."""
    pair, role = _editing(tenant, pair_id, employee_id)
    goals, agenda = _text(goals, MAX_GOALS, "goals"), _text(agenda, MAX_AGENDA, "agenda")
    row = _row(tenant, pair.id) or tenant.add(PairPlan(pair_id=pair.id))
    row.goals, row.agenda, row.updated_by_role, row.updated_at = goals, agenda, role, utcnow()
    audit.record(tenant, f"employee:{employee_id}", "pair_plan.saved", "pair", pair.id)
    tenant.session.flush()
    return row


def add_pre_read(tenant: Tenant, pair_id: int, employee_id: int, title: str, url: str) -> PreRead:
    """One partner shares a pre-read (a title and an https link) with the other."""
    pair, role = _editing(tenant, pair_id, employee_id)
    title = _text(title, MAX_TITLE, "title").replace("\n", " ")
    if not title:
        raise ValidationError("Give the pre-read a title", errors={"title": "missing"})
    link = safe_link(url)
    if link is None:
        raise ValidationError("Give a link that starts with https://", errors={"url": "not https"})
    if tenant.count(PreRead, PreRead.pair_id == pair.id) >= MAX_PRE_READS:
        raise ValidationError(f"A pair keeps at most {MAX_PRE_READS} pre-reads; remove one first")
    row = tenant.add(PreRead(pair_id=pair.id, title=title, url=link, added_by_role=role))
    tenant.session.flush()
    audit.record(tenant, f"employee:{employee_id}", "pre_read.added", "pair", pair.id)
    return row


def remove_pre_read(tenant: Tenant, pair_id: int, employee_id: int, pre_read_id: int) -> None:
    """Either partner removes a pre-read of their pair; another pair's pre-read is not-found."""
    pair, _ = _editing(tenant, pair_id, employee_id)
    row = tenant.get(PreRead, pre_read_id)
    if row.pair_id != pair.id:
        raise NotFound(f"No pre-read {pre_read_id} in this pair")
    tenant.session.delete(row)
    audit.record(tenant, f"employee:{employee_id}", "pre_read.removed", "pair", pair.id)
    tenant.session.flush()
