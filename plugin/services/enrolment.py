"""Pairs into LMS courses and groups, exactly once: the enrol and suspend use cases and their triggers.

Every LMS write goes through `Receipts.once`, so a retried or re-run job (even after a crash mid-call)
writes nothing twice. Ending a pair suspends, never deletes: course history stays in the LMS.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_

from ..config import Settings
from ..connectors.lms import LmsConnector, LmsPerson, LmsUser, Progress
from ..errors import FatalError
from ..models import RUNNING_PAIR, Connection, Employee, Pair, PairEnrolment, Programme
from . import outbox
from .receipts import Receipts
from .tenant import Tenant

ENROL_JOB = "plugin.jobs.enrolment:enrol_pair"  # named, never imported: services sit below jobs
UNENROL_JOB = "plugin.jobs.enrolment:unenrol_pair"


@dataclass(frozen=True)
class Placement:
    """Where a pair goes: the programme's LMS connection and course."""

    pair: Pair
    programme: Programme
    connection: Connection
    course: str


def placement(tenant: Tenant, pair_id: int) -> Placement:
    """The pair, its programme and LMS course; FatalError when the programme has none."""
    pair = tenant.get(Pair, pair_id)
    programme = tenant.get(Programme, pair.programme_id)
    if not programme.lms_connection_id or not programme.lms_course_id:
        raise FatalError(f"programme {programme.id} has no LMS connection and course to enrol pairs into")
    return Placement(pair, programme, tenant.get(Connection, programme.lms_connection_id), str(programme.lms_course_id))


def enrolment_row(tenant: Tenant, pair_id: int) -> PairEnrolment:
    """The pair's enrolment record, created on first use."""
    row = tenant.session.scalars(tenant.select(PairEnrolment, PairEnrolment.pair_id == pair_id)).first()
    if row is None:
        tenant.get(Pair, pair_id)  # NotFound for another organisation's pair: no record of it here
        row = tenant.add(PairEnrolment(pair_id=pair_id, status="queued", detail="", attempts=0))
    return row


def set_state(tenant: Tenant, pair_id: int, status: str, detail: str = "", **fields) -> PairEnrolment:
    """Record where a pair's enrolment stands (committed, so HR sees it while the job runs)."""
    row = enrolment_row(tenant, pair_id)
    row.status, row.detail = status, detail[:2000]
    for name, value in fields.items():
        setattr(row, name, value)
    tenant.session.commit()
    return row


def enrol(tenant: Tenant, connector: LmsConnector, pair_id: int) -> PairEnrolment:
    """Accounts, enrolments, the pair's (or panel's) group and its members, each written once."""
    where = placement(tenant, pair_id)
    if where.pair.status not in RUNNING_PAIR:  # it ended while the job waited: enrolling now would be wrong
        return set_state(tenant, pair_id, "failed", f"pair {pair_id} is {where.pair.status}; not enrolled")
    set_state(
        tenant,
        pair_id,
        "enrolling",
        connection_id=where.connection.id,
        course_ref=where.course,
        attempts=enrolment_row(tenant, pair_id).attempts + 1,
    )
    receipts = Receipts.for_connection(tenant, where.connection.id, pair_id)
    people = [tenant.get(Employee, where.pair.mentee_employee_id), tenant.get(Employee, where.pair.mentor_employee_id)]
    users = _accounts(receipts, connector, people)
    for person in people:
        receipts.once(
            "enrol", f"enrol:{where.course}:{person.id}", lambda p=person: connector.enrol(where.course, users[p.id])
        )
    group = _group(receipts, connector, where, people)
    _members(receipts, connector, group, [users[p.id] for p in people])
    return set_state(tenant, pair_id, "enrolled", group_ref=group)


def _accounts(receipts: Receipts, connector: LmsConnector, people: list[Employee]) -> dict[int, str]:
    """LMS user ids of the people, found by email (one lookup for all) or created when missing."""
    todo = [p for p in people if receipts.done(f"user:{p.id}") is None]
    for person in todo:
        if not person.work_email:
            raise FatalError(f"employee {person.id} has no work email to find or create an LMS account with")
    found = connector.find_users([p.work_email for p in todo]) if todo else {}
    return {
        p.id: receipts.once("user", f"user:{p.id}", lambda p=p: _find_or_create(connector, found, p).id) for p in people
    }


def _find_or_create(connector: LmsConnector, found: dict[str, LmsUser], person: Employee) -> LmsUser:
    email = person.work_email.lower()
    if email in found:
        return found[email]
    spec = LmsPerson(
        person.work_email,
        person.preferred_name or person.first_name,
        person.last_name,
        external_id=f"flipside-{person.id}",
    )
    try:
        return connector.create_user(spec)
    except FatalError:
        again = connector.find_users([person.work_email]).get(email)  # created meanwhile by a parallel job
        if again is None:
            raise
        return again


def _group(receipts: Receipts, connector: LmsConnector, where: Placement, people: list[Employee]) -> str:
    """The pair's group, or the executive's panel group when a programme gives several mentors each."""
    org, prog = where.programme.organisation_id, where.programme
    group_set = receipts.once(
        "groupset",
        f"groupset:{where.course}:{prog.id}",
        lambda: connector.ensure_group_set(where.course, f"flipside-{org}-{prog.id}", f"Flipside: {prog.name}"),
    )
    if prog.mentors_per_executive > 1:
        key, name = f"flipside-{org}-panel-{prog.id}-{people[0].id}", f"Panel: {_name(people[0])}"
    else:
        key = f"flipside-{org}-pair-{where.pair.id}"
        name = f"Pair {where.pair.id}: {_name(people[0])} & {_name(people[1])}"
    return receipts.once(
        "group",
        f"group:{where.course}:{key}",
        lambda: connector.ensure_group(where.course, group_set, key, name),
        reconcile=lambda: connector.find_group(where.course, group_set, key),
    )


def _members(receipts: Receipts, connector: LmsConnector, group: str, user_ids: list[str]) -> None:
    """Add the people not yet recorded as members, in one call."""
    missing = [u for u in user_ids if receipts.done(f"member:{group}:{u}") is None]
    if not missing:
        return
    claims = [(receipts.claim("member", f"member:{group}:{u}"), u) for u in missing]
    pending = [(row, uid) for row, uid in claims if row.state != "done"]
    if pending:
        connector.add_members(group, [uid for _row, uid in pending])
    for row, uid in pending:
        receipts.finish(row, uid)


def _name(person: Employee) -> str:
    return person.display_name or f"{person.preferred_name or person.first_name} {person.last_name}".strip()


def unenrol(tenant: Tenant, connector: LmsConnector, pair_id: int) -> PairEnrolment:
    """Suspend the enrolments of the pair's people who have no other live pair in the programme."""
    where = placement(tenant, pair_id)
    receipts = Receipts.for_connection(tenant, where.connection.id, pair_id)
    for employee_id in (where.pair.mentee_employee_id, where.pair.mentor_employee_id):
        if _other_live_pair(tenant, where.pair, employee_id):
            continue
        user = receipts.done(f"user:{employee_id}")
        enrolled = receipts.done(f"enrol:{where.course}:{employee_id}")
        if user is None or enrolled is None:
            continue  # never enrolled through Flipside: nothing to suspend
        receipts.once(
            "suspend",
            f"suspend:{where.course}:{employee_id}:{pair_id}",
            lambda u=user, e=enrolled: connector.suspend(where.course, u, e) or "suspended",
        )
        receipts.forget(f"enrol:{where.course}:{employee_id}")  # a later pair re-activates the enrolment
    return set_state(tenant, pair_id, "suspended")


def progress(tenant: Tenant, connector: LmsConnector, pair_id: int) -> dict[int, Progress]:
    """Course completion read back from the LMS for both people of a pair, keyed by employee id."""
    where = placement(tenant, pair_id)
    receipts = Receipts.for_connection(tenant, where.connection.id, pair_id)
    out = {}
    for employee_id in (where.pair.mentee_employee_id, where.pair.mentor_employee_id):
        user = receipts.done(f"user:{employee_id}")
        out[employee_id] = connector.progress(where.course, user) if user else Progress("not_enrolled")
    return out


def _was_enrolled(tenant: Tenant, pair: Pair) -> bool:
    """Whether Flipside ever queued the pair into an LMS course (else there is nothing to suspend)."""
    return has_lms(tenant, pair) and tenant.count(PairEnrolment, PairEnrolment.pair_id == pair.id) > 0


def _other_live_pair(tenant: Tenant, pair: Pair, employee_id: int) -> bool:
    return (
        tenant.count(
            Pair,
            Pair.programme_id == pair.programme_id,
            Pair.id != pair.id,
            Pair.status.in_(RUNNING_PAIR),
            or_(Pair.mentee_employee_id == employee_id, Pair.mentor_employee_id == employee_id),
        )
        > 0
    )


def has_lms(tenant: Tenant, pair: Pair) -> bool:
    """Whether the pair's programme has an LMS connection and course to enrol into."""
    programme = tenant.get(Programme, pair.programme_id)
    return bool(programme.lms_connection_id and programme.lms_course_id)


def enqueue_enrolments(tenant: Tenant, settings: Settings, pair_ids: list[int]) -> list[str]:
    """Ask for one enrol_pair job per pair whose programme has an LMS course, through the outbox (a pair
    asked for again before its job is sent is asked for once); pairs of a programme without one are left
    alone. Commits; returns the job ids."""
    placed = [pid for pid in pair_ids if has_lms(tenant, tenant.get(Pair, pid))]  # other orgs' pairs: NotFound
    return _later(tenant, settings, placed, "queued", ENROL_JOB, "enrol-pair")


def enqueue_unenrolments(tenant: Tenant, settings: Settings, pair_ids: list[int]) -> list[str]:
    """Ask for one unenrol_pair job per ended pair that Flipside put into an LMS course (through the outbox);
    commits; returns the job ids."""
    in_lms = [pid for pid in pair_ids if _was_enrolled(tenant, tenant.get(Pair, pid))]
    return _later(tenant, settings, in_lms, "unenrolling", UNENROL_JOB, "unenrol-pair")


def _later(tenant: Tenant, settings: Settings, pair_ids: list[int], status: str, target: str, key: str) -> list[str]:
    """Each pair's new state and its job's outbox row in one transaction: both are kept, or neither."""
    messages = []
    for pair_id in pair_ids:
        row = enrolment_row(tenant, pair_id)
        row.status, row.detail = status, ""
        messages.append(
            outbox.later(
                tenant.session, target, key=f"{key}-{pair_id}", organisation_id=tenant.organisation_id, pair_id=pair_id
            )
        )
    ids = [outbox.prefixed_job_id(settings, outbox.job_id(m)) for m in messages]
    tenant.session.commit()  # the relay sends the rows once this commits (HR sees "queued" meanwhile)
    return ids
