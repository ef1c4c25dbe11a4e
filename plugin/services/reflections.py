"""Private reflections: three scaled answers after each session and at the end; the text is the author's alone."""

from __future__ import annotations

from ..errors import ValidationError
from ..models import Employee, Pair, Reflection, Respondent, SessionLog
from . import agreements
from .tenant import Tenant

QUESTIONS = ("reflection.q1", "reflection.q2", "reflection.q3")  # worded in templates/learner/_reflection.html
SCALE = range(1, 6)
MAX_TEXT = 2000


def respondent_for(tenant: Tenant, pair: Pair, employee_id: int, role: str) -> Respondent:
    """The author's pseudonym in this programme, created with the group facts insights may use."""
    found = tenant.all(Respondent, Respondent.programme_id == pair.programme_id, Respondent.employee_id == employee_id)
    if found:
        return found[0]
    person = tenant.get(Employee, employee_id)
    row = tenant.add(
        Respondent(
            programme_id=pair.programme_id,
            employee_id=employee_id,
            role=role,
            region=person.region or "unknown",
            function=person.function or "unknown",
        )
    )
    tenant.session.flush()
    return row


def submit(
    tenant: Tenant,
    pair_id: int,
    employee_id: int,
    answers: list[int],
    text: str = "",
    session_id: int | None = None,
    final: bool = False,
) -> Reflection:
    """Store one partner's reflection on a session (or the final one); each is given once."""
    pair, role = agreements.started_pair(tenant, pair_id, employee_id)
    _check(answers, text)
    if not final:
        session = tenant.get(SessionLog, session_id or 0)
        if session.pair_id != pair.id or session.status == "cancelled":
            raise ValidationError("Reflections follow a session of this pair that took place")
    respondent = respondent_for(tenant, pair, employee_id, role)
    kind, linked = ("final", None) if final else ("session", session_id)
    given = tenant.all(Reflection, Reflection.respondent_id == respondent.id, Reflection.pair_id == pair.id)
    if any(r.kind == kind and r.session_log_id == linked for r in given):
        raise ValidationError("You have already answered this reflection")
    row = tenant.add(
        Reflection(
            respondent_id=respondent.id,
            pair_id=pair.id,
            session_log_id=linked,
            kind=kind,
            q1=answers[0],
            q2=answers[1],
            q3=answers[2],
            text=text.strip() or None,
        )
    )
    tenant.session.flush()
    return row


def _check(answers: list[int], text: str) -> None:
    if len(answers) != len(QUESTIONS) or any(a not in SCALE for a in answers):
        raise ValidationError("Answer each of the three questions on the 1 to 5 scale", errors={"answers": answers})
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep the note under {MAX_TEXT} characters")


def own_reflections(tenant: Tenant, employee_id: int, pair_id: int) -> list[Reflection]:
    """The reflections this person wrote for this pair: the only way any reflection text is read."""
    stmt = (
        tenant.select(Reflection)
        .join(Respondent, Respondent.id == Reflection.respondent_id)
        .where(Respondent.employee_id == employee_id, Reflection.pair_id == pair_id)
        .order_by(Reflection.id)
    )
    return list(tenant.session.scalars(stmt))


def final_roles(tenant: Tenant, pair_id: int) -> set[str]:
    """Roles of the partners who gave their final reflection."""
    stmt = (
        tenant.select(Respondent)
        .join(Reflection, Reflection.respondent_id == Respondent.id)
        .where(Reflection.pair_id == pair_id, Reflection.kind == "final")
    )
    return {r.role for r in tenant.session.scalars(stmt)}


def answered_sessions(tenant: Tenant, employee_id: int, pair_id: int) -> set[int]:
    """Ids of the sessions this person has already reflected on."""
    return {r.session_log_id for r in own_reflections(tenant, employee_id, pair_id) if r.session_log_id}
