"""An admin's review of a proposal: lock, exclude, swap, approve; and re-matching a panel when someone leaves."""

from __future__ import annotations

from ..domain.matching import MatchResult, rematch_panel
from ..domain.matching import Pair as MatchPair
from ..errors import Conflict, ValidationError
from ..models import HELD_PAIR, RUNNING_PAIR, Exclusion, Pair, Participant, Programme, utcnow
from . import announcements, audit, mentor_change, paging, partners
from .matching import explanation, programme_people, programme_rules
from .tenant import Tenant


def set_locked(tenant: Tenant, pair_id: int, locked: bool, actor: str = "admin") -> Pair:
    """Pin a pair so re-runs keep it (or release it)."""
    pair = _live(tenant, pair_id)
    pair.locked = locked
    audit.record(tenant, actor, "pair.locked" if locked else "pair.unlocked", "pair", pair.id)
    return pair


def exclude(tenant: Tenant, pair_id: int, reason: str = "", actor: str = "admin") -> Exclusion:
    """Forbid this mentor for this executive in the programme and drop the proposed pair."""
    pair = _live(tenant, pair_id)
    if pair.status != "proposed":
        raise Conflict("Only a proposed pair can be excluded; end an approved pair instead")
    row = tenant.add(
        Exclusion(
            programme_id=pair.programme_id,
            mentee_employee_id=pair.mentee_employee_id,
            mentor_employee_id=pair.mentor_employee_id,
            reason=reason[:200],
        )
    )
    tenant.session.delete(pair)
    tenant.session.flush()
    audit.record(tenant, actor, "pair.excluded", "pair", pair_id)
    return row


def swap(tenant: Tenant, pair_id: int, other_pair_id: int, actor: str = "admin") -> tuple[Pair, Pair]:
    """Exchange the mentors of two proposed, unlocked pairs, if both new pairs pass every rule; both get locked."""
    a, b = _live(tenant, pair_id), _live(tenant, other_pair_id)
    if a.programme_id != b.programme_id or a.id == b.id:
        raise Conflict("Swap two different pairs of the same programme")
    if b.status != "proposed" or b.locked:
        change = mentor_change.preview(tenant, b.id, a.mentor_employee_id)  # the refusal names b's lock or state
        raise Conflict(change.refused or "Swap two proposed pairs", errors={"other_pair_id": change.refused})
    mentor_change.change_mentor(tenant, a.id, b.mentor_employee_id, actor=actor)
    return a, b


def approve(tenant: Tenant, programme_id: int, actor: str = "admin", pair_ids: list[int] | None = None) -> list[int]:
    """Approve the chosen proposed pairs (None: every one) and start the programme; returns the pair ids
    (enrolment jobs follow)."""
    programme = tenant.get(Programme, programme_id)
    criteria = [Pair.programme_id == programme.id, Pair.status == "proposed"]
    if pair_ids is not None:
        if not pair_ids:
            raise ValidationError("Choose the pairs to approve", errors={"pair_ids": "none chosen"})
        criteria.append(Pair.id.in_(pair_ids))
    pairs = tenant.all(Pair, *criteria)
    if pair_ids is not None and len(pairs) != len(set(pair_ids)):
        missing = sorted(set(pair_ids) - {p.id for p in pairs})
        raise Conflict(
            f"Pairs {', '.join(map(str, missing))} are not proposed pairs of this programme; nothing was approved",
            errors={"pair_ids": missing},
        )
    if not pairs:
        raise Conflict("There are no proposed pairs to approve: run matching first")
    now = utcnow()
    for pair in pairs:
        pair.status, pair.approved_at = "approved", now
    if programme.status in ("draft", "matching"):
        programme.status, programme.starts_on = "active", programme.starts_on or now.date()
    audit.record(
        tenant, actor, "matching.approved", "programme", programme.id, pairs=len(pairs), selection=pair_ids is not None
    )
    tenant.session.flush()
    announcements.announce_pairs(tenant, [p.id for p in pairs])  # in this transaction: told iff approved
    return [p.id for p in pairs]


def _live(tenant: Tenant, pair_id: int) -> Pair:
    pair = tenant.get(Pair, pair_id)
    if pair.status not in HELD_PAIR:
        raise Conflict(f"Pair {pair_id} has ended")
    return pair


def on_departure(tenant: Tenant, employee_id: int, actor: str = "hris") -> tuple[list[int], list[int]]:
    """End the leaver's live pairs and re-fill each affected executive's panel; other pairs stay as they are.

    Returns (ended pair ids, new pair ids); the caller commits, then queues unenrolment and enrolment.
    """
    rows = tenant.all(
        Pair,
        Pair.status.in_(HELD_PAIR),
        (Pair.mentor_employee_id == employee_id) | (Pair.mentee_employee_id == employee_id),
    )
    for part in tenant.all(Participant, Participant.employee_id == employee_id):
        part.opted_in = False
    touched = []
    for pair in rows:
        pair.status, pair.ended_at, pair.end_reason = "ended", utcnow(), "left the organisation"
        if pair.mentor_employee_id == employee_id:
            touched.append((pair.programme_id, pair.mentee_employee_id))
    tenant.session.flush()
    refilled = []
    for programme_id, executive_id in touched:
        refilled += _refill(tenant, tenant.get(Programme, programme_id), executive_id)
    audit.record(tenant, actor, "matching.departure", "employee", employee_id, ended=len(rows), refilled=len(refilled))
    return [p.id for p in rows], refilled


NO_FAULT = "no fault"  # end_reason of a pair a partner left without giving a reason


def leave_pair(tenant: Tenant, pair_id: int, employee_id: int) -> list[int]:
    """A partner ends a running pair, no reason asked: the two are never re-paired in this programme, both
    stay in it, and the executive's panel is re-filled. Returns the new pair ids; the caller commits, then
    queues unenrolment and enrolment."""
    pair = tenant.get(Pair, pair_id)
    role = partners.partner_role(pair, employee_id)
    if pair.status not in RUNNING_PAIR:
        raise ValidationError(f"This pair is {pair.status}; only a running pair can be left", errors={"pair": "ended"})
    pair.status, pair.ended_at, pair.end_reason = "ended", utcnow(), NO_FAULT
    if not tenant.all(
        Exclusion,
        Exclusion.programme_id == pair.programme_id,
        Exclusion.mentee_employee_id == pair.mentee_employee_id,
        Exclusion.mentor_employee_id == pair.mentor_employee_id,
    ):
        tenant.add(
            Exclusion(
                programme_id=pair.programme_id,
                mentee_employee_id=pair.mentee_employee_id,
                mentor_employee_id=pair.mentor_employee_id,
                reason=NO_FAULT,
            )
        )
    tenant.session.flush()
    added = _refill(tenant, tenant.get(Programme, pair.programme_id), pair.mentee_employee_id)
    audit.record(tenant, f"employee:{employee_id}", "pair.left", "pair", pair.id, role=role, refilled=len(added))
    return added


def ended_pairs(tenant: Tenant, programme_id: int) -> list[Pair]:
    query = tenant.select(Pair, Pair.programme_id == programme_id, Pair.status == "ended")
    return list(tenant.session.scalars(query.order_by(Pair.ended_at.desc())))


def _refill(tenant: Tenant, programme: Programme, executive_id: int) -> list[int]:
    executives, mentors = programme_people(tenant, programme)
    rules = programme_rules(tenant, programme)
    live = tenant.all(Pair, Pair.programme_id == programme.id, Pair.status.in_(HELD_PAIR))
    current = MatchResult(
        pairs=tuple(MatchPair(p.mentee_employee_id, p.mentor_employee_id, p.score, (), p.locked) for p in live),
        unfilled=(),
        slots=0,
        optimal=True,
        gap=0.0,
        method="stored",
    )
    panel = rematch_panel(current, executive_id, executives, mentors, rules).panel(executive_id)
    keep = {pair.mentor_id for pair in panel}
    for row in live:
        if row.mentee_employee_id == executive_id and row.mentor_employee_id not in keep:
            row.status, row.ended_at, row.end_reason = "ended", utcnow(), "panel re-matched"
    held = {row.mentor_employee_id for row in live if row.mentee_employee_id == executive_id}
    status = "approved" if programme.status == "active" else "proposed"
    added = [
        tenant.add(
            Pair(
                programme_id=programme.id,
                mentee_employee_id=executive_id,
                mentor_employee_id=pair.mentor_id,
                score=round(pair.score, 4),
                explanation=explanation(pair),
                status=status,
            )
        )
        for pair in panel
        if pair.mentor_id not in held
    ]
    tenant.session.flush()
    return [row.id for row in added]


def live_pairs(tenant: Tenant, programme_id: int, page: int = 1, per_page: int = paging.PER_PAGE) -> paging.Page:
    """A page of the programme's proposed and approved pairs; NotFound for another organisation's programme."""
    tenant.get(Programme, programme_id)
    criteria = (Pair.programme_id == programme_id, Pair.status.in_(HELD_PAIR))
    at = paging.window(tenant.count(Pair, *criteria), page, per_page)
    query = tenant.select(Pair, *criteria).order_by(Pair.mentee_employee_id, Pair.score.desc(), Pair.id)
    rows = list(tenant.session.scalars(query.limit(at.per_page).offset(at.offset)))
    return paging.Page(rows, at.total, at.page, at.pages, at.per_page)
