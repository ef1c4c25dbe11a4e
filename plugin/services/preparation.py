"""Preparation: the LMS activities (the course's modules) each role completes before the first session, the
completion read back per participant, shown to the partner and, only as counts per role, to HR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ..config import Settings
from ..connectors.lms import LmsConnector
from ..domain.link import web_link
from ..errors import ValidationError
from ..models import RUNNING_PAIR, OutboxMessage, Pair, PreparationActivity, PreparationReading, Programme
from ..models.core import utcnow
from . import audit, enrolment, outbox, partners
from .receipts import Receipts
from .tenant import Tenant

READ_JOB = "plugin.jobs.preparation:read_preparation"  # named, never imported: services sit below jobs
ROLES = ("mentor", "mentee")
MAX_ACTIVITIES = 20


@dataclass(frozen=True)
class Step:
    """One activity as a partner sees it: its name, its LMS link and whether the last reading said done."""

    name: str
    url: str
    done: bool


@dataclass(frozen=True)
class RoleCounts:
    """HR's view of one role: how many partners were read, and how many had done all of their activities."""

    role: str
    activities: int
    people: int
    ready: int


def activities(tenant: Tenant, programme_id: int, role: str) -> list[PreparationActivity]:
    rows = tenant.all(
        PreparationActivity, PreparationActivity.programme_id == programme_id, PreparationActivity.role == role
    )
    return sorted(rows, key=lambda r: r.position)


def choose(
    tenant: Tenant, connector: LmsConnector, programme_id: int, picked: dict[str, list[str]], actor: str
) -> dict[str, list[PreparationActivity]]:
    """HR names the activities of each role, checked against the course's activity list read from the LMS."""
    programme = tenant.get(Programme, programme_id)
    if not programme.lms_course_id:
        raise ValidationError("Choose the programme's LMS course first", errors={"course": "missing"})
    offered = {a.id: a for a in connector.activities(str(programme.lms_course_id))}
    chosen: dict[str, list[str]] = {}
    for role in ROLES:
        ids = list(dict.fromkeys(str(i) for i in picked.get(role, [])))
        if len(ids) > MAX_ACTIVITIES or any(i not in offered for i in ids):
            raise ValidationError("Pick activities from the course's list", errors={"activities": role})
        chosen[role] = ids
    for row in tenant.all(PreparationActivity, PreparationActivity.programme_id == programme.id):
        tenant.session.delete(row)
    tenant.session.flush()
    for role, ids in chosen.items():
        for n, activity_id in enumerate(ids):
            a = offered[activity_id]
            tenant.add(
                PreparationActivity(
                    programme_id=programme.id,
                    role=role,
                    activity_id=a.id,
                    name=a.name[:255],
                    url=web_link(a.url),
                    position=n,
                )
            )
    audit.record(tenant, actor, "preparation.chosen", "programme", programme.id, **{r: chosen[r] for r in ROLES})
    tenant.session.flush()
    return {role: activities(tenant, programme.id, role) for role in ROLES}


def read_back(tenant: Tenant, connector: LmsConnector, pair_id: int) -> list[PreparationReading]:
    """Read each partner's completion of their role's activities from the LMS and keep it with the time."""
    where = enrolment.placement(tenant, pair_id)
    receipts = Receipts.for_connection(tenant, where.connection.id, pair_id)
    out = []
    for role, employee_id in (("mentor", where.pair.mentor_employee_id), ("mentee", where.pair.mentee_employee_id)):
        wanted = {a.activity_id for a in activities(tenant, where.programme.id, role)}
        user = receipts.done(f"user:{employee_id}")
        done = sorted(wanted & connector.activities_done(where.course, user)) if user and wanted else []
        found = tenant.all(
            PreparationReading, PreparationReading.pair_id == pair_id, PreparationReading.employee_id == employee_id
        )
        row = found[0] if found else tenant.add(PreparationReading(pair_id=pair_id, employee_id=employee_id, role=role))
        row.done, row.read_at = done, utcnow()
        out.append(row)
    tenant.session.flush()
    return out


def mine(tenant: Tenant, pair_id: int, employee_id: int) -> tuple[list[Step], object]:
    """The partner's own activities with done/not done, and when the LMS was last read (None: not yet)."""
    pair = tenant.get(Pair, pair_id)
    role = partners.partner_role(pair, employee_id)
    found = tenant.all(
        PreparationReading, PreparationReading.pair_id == pair.id, PreparationReading.employee_id == employee_id
    )
    done = set(found[0].done) if found else set()
    steps = [Step(a.name, a.url, a.activity_id in done) for a in activities(tenant, pair.programme_id, role)]
    return steps, (found[0].read_at if found else None)


def counts(tenant: Tenant, programme_id: int) -> list[RoleCounts]:
    """Per role: partners of running pairs read back, and how many of them had done all their activities."""
    programme_id = tenant.get(Programme, programme_id).id  # another organisation's programme is not found
    pair_ids = [p.id for p in tenant.all(Pair, Pair.programme_id == programme_id, Pair.status.in_(RUNNING_PAIR))]
    readings = tenant.all(PreparationReading, PreparationReading.pair_id.in_(pair_ids)) if pair_ids else []
    out = []
    for role in ROLES:
        wanted = {a.activity_id for a in activities(tenant, programme_id, role)}
        of_role = [r for r in readings if r.role == role]
        ready = sum(1 for r in of_role if wanted <= set(r.done))
        out.append(RoleCounts(role, len(wanted), len(of_role), ready))
    return out


def pending(steps: list[Step]) -> list[Step]:
    """The steps the last reading did not report done (all of them before a first reading)."""
    return [s for s in steps if not s.done]


def pairs_to_read(tenant: Tenant, employee_id: int | None = None) -> list[int]:
    """Running pairs (of this person, when given) in programmes with an LMS course and preparation activities,
    whose partners have not both done all of theirs at the last reading."""
    with_steps = select(PreparationActivity.programme_id).distinct()
    programmes = tenant.all(
        Programme,
        Programme.lms_connection_id.is_not(None),
        Programme.lms_course_id.is_not(None),
        Programme.id.in_(with_steps),
    )
    if not programmes:
        return []
    criteria = [Pair.programme_id.in_([p.id for p in programmes]), Pair.status.in_(RUNNING_PAIR)]
    if employee_id is not None:
        criteria.append((Pair.mentor_employee_id == employee_id) | (Pair.mentee_employee_id == employee_id))
    out = []
    for pair in tenant.all(Pair, *criteria):
        partners_ = (pair.mentor_employee_id, pair.mentee_employee_id)
        if any(pending(mine(tenant, pair.id, person)[0]) for person in partners_):
            out.append(pair.id)
    return sorted(out)


def ask_if_stale(tenant: Tenant, settings: Settings, employee_id: int, now: datetime | None = None) -> list[int]:
    """A learner's launch asks for a new reading of their pairs' preparation, at most once per pair in
    `settings.preparation_read_s` (since the last reading or the last request); commits; returns the pair ids."""
    since = (now or utcnow()) - timedelta(seconds=settings.preparation_read_s)
    asked = []
    for pair_id in pairs_to_read(tenant, employee_id):
        key = f"preparation-{pair_id}"
        read = [r.read_at for r in tenant.all(PreparationReading, PreparationReading.pair_id == pair_id)]
        last_asked = tenant.session.scalar(select(func.max(OutboxMessage.created_at)).where(OutboxMessage.key == key))
        if any(t is not None and _aware(t) > since for t in (*read, last_asked)):
            continue
        outbox.later(tenant.session, READ_JOB, key=key, organisation_id=tenant.organisation_id, pair_id=pair_id)
        asked.append(pair_id)
    tenant.session.commit()
    return asked


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC times; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def enqueue_readings(tenant: Tenant, settings: Settings, programme_id: int) -> list[str]:
    """One read_preparation job per running pair of a programme with an LMS course, through the outbox;
    commits; returns the job ids."""
    programme = tenant.get(Programme, programme_id)
    if not programme.lms_connection_id or not programme.lms_course_id:
        return []
    pairs = tenant.all(Pair, Pair.programme_id == programme.id, Pair.status.in_(RUNNING_PAIR))
    messages = [
        outbox.later(
            tenant.session, READ_JOB, key=f"preparation-{p.id}", organisation_id=tenant.organisation_id, pair_id=p.id
        )
        for p in pairs
    ]
    ids = [outbox.prefixed_job_id(settings, outbox.job_id(m)) for m in messages]
    tenant.session.commit()
    return ids
