"""Programmes: create, change, move through the lifecycle, and find who is eligible to take part."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from sqlalchemy import select

from ..domain import programme as rules
from ..domain.topics import TOPICS, from_catalogue
from ..errors import Conflict, NotFound, ValidationError
from ..models import Connection, Employee, Participant, Programme, utcnow
from ..models.programme import ENROLMENTS
from . import audit
from .matching import ELIGIBILITY_COLUMNS, PERSON_COLUMNS
from .tenant import Tenant

EDITABLE = (
    "name",
    "objectives",
    "topics",
    "mentor_rules",
    "mentee_rules",
    "mentors_per_executive",
    "distinct_countries",
    "function_mix",
    "min_overlap_hours",
    "weights",
    "firewall_depth",
    "cadence_days",
    "session_minutes",
    "duration_weeks",
    "max_extensions",
    "extension_weeks",
    "framing",
    "enrolment",
    "lms_connection_id",
    "lms_course_id",
    "starts_on",
)


def create_programme(tenant: Tenant, data: dict, actor: str = "admin") -> Programme:
    """Create a draft programme from validated data."""
    _check_rules(data)
    _check_connection(tenant, data)
    programme = tenant.add(Programme(status="draft", **{k: v for k, v in data.items() if k in EDITABLE}))
    tenant.session.flush()
    audit.record(tenant, actor, "programme.created", "programme", programme.id)
    return programme


def update_programme(tenant: Tenant, programme_id: int, data: dict, actor: str = "admin") -> Programme:
    """Change a programme's settings; pairing rules are frozen once it is active."""
    programme = tenant.get(Programme, programme_id)
    frozen = {
        "mentor_rules",
        "mentee_rules",
        "mentors_per_executive",
        "distinct_countries",
        "function_mix",
        "firewall_depth",
    }
    if programme.status in ("active", "completed") and frozen & set(data):
        raise Conflict(
            "Pairing rules cannot change once a programme is active", errors={k: "frozen" for k in frozen & set(data)}
        )
    _check_rules(data)
    _check_connection(tenant, data)
    for key, value in data.items():
        if key in EDITABLE:
            setattr(programme, key, value)
    audit.record(tenant, actor, "programme.updated", "programme", programme.id, fields=sorted(data))
    return programme


def _check_rules(data: dict) -> None:
    problems = {}
    if "topics" in data:  # only the catalogue's topics: they label goals and expertise, and pages translate them
        data["topics"], unknown = from_catalogue(data["topics"])
        if unknown:
            problems["topics"] = [f"not in the topic catalogue: {', '.join(unknown)[:200]} (use {', '.join(TOPICS)})"]
    if "enrolment" in data and data["enrolment"] not in ENROLMENTS:
        problems["enrolment"] = [f"one of {', '.join(ENROLMENTS)}"]
    for key in ("mentor_rules", "mentee_rules"):
        found = rules.validate_rules(data.get(key) or {})
        if found:
            problems[key] = found
    if problems:
        raise ValidationError("The eligibility rules are not usable", errors=problems)


def _check_connection(tenant: Tenant, data: dict) -> None:
    """The LMS connection, when given, must be one of this organisation's (else the foreign key fails later)."""
    connection_id = data.get("lms_connection_id")
    if connection_id is not None and not tenant.count(
        Connection, Connection.id == connection_id, Connection.kind == "lms"
    ):
        raise Conflict("No such LMS connection in this organisation", errors={"lms_connection_id": connection_id})


def transition(
    tenant: Tenant, programme_id: int, target: str, actor: str = "admin", *, closing: bool = False
) -> Programme:
    """Move a programme to another lifecycle state, if that step is allowed. Completing it is closing it
    (services.cohorts.close_programme, which also completes or ends its pairs), never a bare status change."""
    programme = tenant.get(Programme, programme_id)
    if target == "completed" and not closing:
        raise Conflict(
            "Close the programme to complete it: its running pairs are completed or ended with it",
            errors={"status": target},
        )
    try:
        rules.check_transition(programme.status, target)
    except rules.RuleError as exc:
        raise Conflict(str(exc), errors={"status": target}) from exc
    before, programme.status = programme.status, target
    if target == "active" and programme.starts_on is None:
        programme.starts_on = date.today()
    audit.record(tenant, actor, "programme.status", "programme", programme.id, before=before, after=target)
    return programme


def find_programme(tenant: Tenant, key: str | int) -> Programme:
    """A programme by id or exact name."""
    if isinstance(key, int) or str(key).isdigit():
        return tenant.get(Programme, int(key))
    found = tenant.all(Programme, Programme.name == key)
    if not found:
        raise NotFound(f"No programme named {key!r}")
    return found[0]


def person(employee: Employee) -> rules.Person:
    return rules.Person(
        employee_id=employee.id,
        job_level=employee.job_level,
        hire_date=employee.hire_date,
        birth_year=employee.birth_year,
        function=employee.function,
        country=employee.country,
        region=employee.region,
        department=employee.department,
    )


def enrol_eligible(tenant: Tenant, programme_id: int, today: date | None = None) -> dict[str, int]:
    """Add every active, eligible employee as a mentor or mentee candidate (existing opt-outs are kept)."""
    programme = tenant.get(Programme, programme_id)
    if programme.status == "completed":  # its people are alumni now; the next cohort is where newcomers go
        raise Conflict(gettext("This programme is closed: start the next cohort to add people."))
    today = today or date.today()
    known = {p.employee_id: p for p in tenant.all(Participant, Participant.programme_id == programme.id)}
    counts = {"mentor": 0, "mentee": 0}
    for employee in tenant.session.scalars(tenant.select(Employee, Employee.active.is_(True))):
        role = eligible_role(programme, employee, today)
        if role is None or employee.id in known:
            continue
        # an opt-in programme invites: the person is in once they say yes (`answer_invitation`)
        invited = programme.enrolment == "opt_in"
        tenant.add(Participant(programme_id=programme.id, employee_id=employee.id, role=role, opted_in=not invited))
        counts[role] += 1
    tenant.session.flush()
    return counts


def eligible_role(programme: Programme, employee, today: date) -> str | None:
    """The role the programme's rules give this employee: mentee first (a senior person is never a mentor
    because the mentor rules happen to fit too), else mentor, else None."""
    facts = person(employee)
    if rules.eligible(facts, programme.mentee_rules, today):
        return "mentee"
    return "mentor" if rules.eligible(facts, programme.mentor_rules, today) else None


def eligible_outsiders(
    tenant: Tenant, programme: Programme, today: date | None = None, only: int | None = None
) -> list:
    """Active employees the programme's mentor rules admit who have no place in it yet (never an opt-out,
    who keeps their place as a refusal): the juniors a mentor change may bring in; `only` asks about one.
    Plain rows of what matching and eligibility read, so a large workforce is read without an object each."""
    today = today or date.today()
    known = select(Participant.employee_id).where(Participant.programme_id == programme.id)
    criteria = [Employee.active.is_(True), Employee.id.not_in(known)]
    if only is not None:
        criteria.append(Employee.id == only)
    rows = tenant.session.execute(select(*PERSON_COLUMNS, *ELIGIBILITY_COLUMNS).where(*criteria))
    return [row for row in rows if eligible_role(programme, row, today) == "mentor"]


def invitations(tenant: Tenant, employee_id: int) -> list[tuple[Participant, Programme]]:
    """The opt-in programmes that invited this person and that they have not answered yet."""
    stmt = (
        select(Participant, Programme)
        .join(Programme, Programme.id == Participant.programme_id)
        .where(
            Participant.employee_id == employee_id,
            Participant.opted_in.is_(False),
            Participant.opted_out_at.is_(None),
            Programme.enrolment == "opt_in",
            Programme.status != "completed",
        )
        .order_by(Programme.id)
    )
    return [(part, programme) for part, programme in tenant.session.execute(stmt)]


def answer_invitation(tenant: Tenant, employee_id: int, programme_id: int, join: bool) -> Participant:
    """Say yes (take part, and be matched) or no (never matched here) to an opt-in programme's invitation.
    Only an open invitation can be answered: not another person's, not a programme that assigns people."""
    found = [part for part, programme in invitations(tenant, employee_id) if programme.id == programme_id]
    if not found:
        raise NotFound("No open invitation to this programme")
    part = found[0]
    if join:
        part.opted_in = True
    else:
        part.opted_out_at = utcnow()
    audit.record(
        tenant,
        f"employee:{employee_id}",
        "participant.joined" if join else "participant.declined",
        "programme",
        programme_id,
    )
    return part


def opt_out(tenant: Tenant, programme_id: int, employee_id: int) -> Participant:
    """Withdraw a participant; they are never matched again in this programme unless they opt back in."""
    rows = tenant.all(Participant, Participant.programme_id == programme_id, Participant.employee_id == employee_id)
    if not rows:
        raise NotFound("This person is not part of the programme")
    rows[0].opted_in, rows[0].opted_out_at = False, utcnow()
    return rows[0]


def participants(tenant: Tenant, programme_id: int, role: str | None = None) -> list[tuple[Participant, Employee]]:
    """Opted-in participants of a programme with their employee rows."""
    stmt = (
        select(Participant, Employee)
        .join(Employee, Employee.id == Participant.employee_id)
        .where(Participant.programme_id == programme_id, Participant.opted_in.is_(True), Employee.active.is_(True))
    )
    if role:
        stmt = stmt.where(Participant.role == role)
    return [(part, employee) for part, employee in tenant.session.execute(stmt)]
