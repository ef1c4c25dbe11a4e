"""Completion: the programme's rule, the pair's progress, and the exactly-once write-back of the result.

Written back for both partners, and nothing else: an AGS score of 1/1 in the programme's line item, and
an HRIS training record titled in the person's language and regional framing (a Japanese executive's reads
"知識交換パートナーシップ：エグゼクティブパートナー") carrying the planned hours and Flipside's reference.
No session, topic, minute or reflection ever leaves through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..connectors.training import TrainingCompletion
from ..domain import completion as rules
from ..errors import ValidationError
from ..models import RUNNING_PAIR, Completion, CompletionRule, Connection, Employee, Pair, Programme, SessionLog, utcnow
from . import audit, framing, reflections, writeback
from .receipts import Receipts
from .tenant import Tenant


def rule_for(tenant: Tenant, programme_id: int) -> CompletionRule:
    """The programme's completion rule, created with the defaults the first time."""
    found = tenant.all(CompletionRule, CompletionRule.programme_id == programme_id)
    if found:
        return found[0]
    tenant.get(Programme, programme_id)  # NotFound for another organisation's programme: it gets no rule here
    row = tenant.add(CompletionRule(programme_id=programme_id, min_sessions=6, final_reflection=True))
    tenant.session.flush()
    return row


def set_rule(tenant: Tenant, programme_id: int, min_sessions: int, final_reflection: bool) -> CompletionRule:
    """Change a programme's completion rule."""
    if min_sessions < 1:
        raise ValidationError("A pair completes after at least one session", errors={"min_sessions": min_sessions})
    row = rule_for(tenant, tenant.get(Programme, programme_id).id)
    row.min_sessions, row.final_reflection = min_sessions, final_reflection
    return row


def progress_of(tenant: Tenant, pair: Pair) -> rules.Progress:
    confirmed = tenant.count(SessionLog, SessionLog.pair_id == pair.id, SessionLog.status == "confirmed")
    return rules.progress(confirmed, reflections.final_roles(tenant, pair.id))


def domain_rule(row: CompletionRule) -> rules.CompletionRule:
    return rules.CompletionRule(min_sessions=row.min_sessions, final_reflection=row.final_reflection)


def complete_if_done(tenant: Tenant, pair_id: int, today: date | None = None) -> Completion | None:
    """Mark the pair complete when its programme's rule is met (once); returns the completion if any."""
    pair = tenant.get(Pair, pair_id)
    existing = tenant.all(Completion, Completion.pair_id == pair.id)
    if existing:
        return existing[0]
    rule = domain_rule(rule_for(tenant, pair.programme_id))
    progress = progress_of(tenant, pair)
    if pair.status not in RUNNING_PAIR or not progress.complete(rule):
        return None
    programme = tenant.get(Programme, pair.programme_id)
    row = tenant.add(
        Completion(
            pair_id=pair.id,
            completed_on=today or date.today(),
            sessions=progress.confirmed_sessions,
            hours=round(rule.min_sessions * programme.session_minutes / 60, 2),
        )
    )
    pair.status, pair.ended_at, pair.end_reason = "completed", utcnow(), "completed"
    tenant.session.flush()
    audit.record(tenant, "system", "pair.completed", "pair", pair.id)
    return row


@dataclass
class WriteSummary:
    """What one run of the completion write-back did, per target."""

    scores: int = 0
    training_records: int = 0
    skipped: list[str] | None = None


def write_back(tenant: Tenant, pair_id: int) -> WriteSummary:
    """Write the score for both partners, then the training record for both; safe to rerun at any point."""
    pair = tenant.get(Pair, pair_id)
    done = tenant.all(Completion, Completion.pair_id == pair.id)
    if not done:
        raise ValidationError(f"Pair {pair.id} has not completed")
    summary = WriteSummary(skipped=[])
    people = {"mentor": pair.mentor_employee_id, "mentee": pair.mentee_employee_id}
    gradebook = writeback.WRITERS.gradebook(tenant, rule_for(tenant, pair.programme_id))
    for role, employee_id in people.items():
        if gradebook is None or gradebook.account(employee_id) is None:
            summary.skipped.append(
                f"score:{role}: "
                + ("no course gradebook known for the programme" if gradebook is None else "no linked LMS account")
            )
            continue
        Receipts(tenant, "ags", pair_id=pair.id).once(
            "score",
            f"ags:pair:{pair.id}:{role}",
            lambda e=employee_id: gradebook.write(e, 1.0, "Programme completed"),
            reconcile=lambda e=employee_id: gradebook.find(e),
        )
        summary.scores += 1
    for role, employee_id in people.items():
        if _write_training(tenant, pair, done[0], role, employee_id, summary):
            summary.training_records += 1
    return summary


def _write_training(
    tenant: Tenant, pair: Pair, completed: Completion, role: str, employee_id: int | None, summary: WriteSummary
) -> bool:
    employee = tenant.session.get(Employee, employee_id) if employee_id else None
    conn = tenant.session.get(Connection, employee.connection_id) if employee and employee.connection_id else None
    if conn is None or conn.kind != "hris":
        summary.skipped.append(f"training:{role}: no HRIS connection for this person")
        return False
    writer = writeback.WRITERS.training(tenant, conn)
    overrides = tenant.get(Programme, pair.programme_id).framing
    title = framing.for_person(employee, overrides, framing.reader_locale(employee)).title(role)
    record = TrainingCompletion(
        title=title,
        completed_on=completed.completed_on,
        hours=completed.hours,
        reference=f"flipside-pair-{pair.id}-{role}",
    )
    Receipts(tenant, writer.vendor, pair_id=pair.id).once(
        "training",
        f"{writer.vendor}:pair:{pair.id}:{role}",
        lambda: writer.write(employee.source_id, record),
        reconcile=lambda: writer.find(employee.source_id, record),
    )
    return True


AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"


def remember_course(tenant: Tenant, employee_id: int, registration_id: int, claims: dict) -> int:
    """From a participant's launch, note where their programmes' course gradebook is (AGS line items URL).

    A programme tied to an LMS course only takes the URL from a launch in that course (LTI context id, or
    Canvas's `canvas_course_id` custom field); returns how many programmes were updated.
    """
    lineitems = (claims.get(AGS_CLAIM) or {}).get("lineitems")
    if not lineitems:
        return 0
    courses = {
        str((claims.get(CONTEXT_CLAIM) or {}).get("id") or ""),
        str((claims.get(CUSTOM_CLAIM) or {}).get("canvas_course_id") or ""),
    } - {""}
    updated = 0
    for pair in tenant.all(Pair, (Pair.mentor_employee_id == employee_id) | (Pair.mentee_employee_id == employee_id)):
        programme = tenant.get(Programme, pair.programme_id)
        rule = rule_for(tenant, programme.id)
        if (programme.lms_course_id and programme.lms_course_id not in courses) or (
            rule.lineitems_url,
            rule.registration_id,
        ) == (lineitems, registration_id):
            continue
        rule.lineitems_url, rule.registration_id = lineitems, registration_id
        updated += 1
    return updated
