"""A cohort into LMS courses in batches: each step one array call for many pairs, each item written once.

Approval of a cohort queues one `enrol_pairs` job per course and up to `BATCH` pairs, for connectors with
array calls (Moodle). Every item (account, enrolment, group, membership) keeps its own receipt, claimed
for the whole batch before the call and finished after it, so a worker killed mid-batch and rerun asks the
LMS which interrupted items landed (one read per step) and sends nothing already done. A call the LMS
refuses as a whole is split until the refusal names one item: that item's pairs fail with the reason and
every other pair goes on. Small approvals and single changes (a panel re-fill) keep the per-pair job.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update

from ..config import Settings
from ..connectors.lms import LmsPerson
from ..connectors.moodle_batch import chunks, split_failures
from ..errors import FatalError
from ..models import RUNNING_PAIR, Connection, Employee, Pair, PairEnrolment, Programme
from . import outbox
from .enrolment import _name, enqueue_enrolments
from .receipts import BatchReceipts
from .tenant import Tenant

BATCH_JOB = "plugin.jobs.enrolment:enrol_pairs"  # named, never imported: services sit below jobs
BATCH = 500  # pairs per job: a few requests each step, and a job short enough to rerun
BATCH_MIN = 10  # fewer pairs in a course go one job each: a retry then touches one pair
BATCH_VENDORS = frozenset({"moodle"})


@dataclass(frozen=True)
class PairPlan:
    """One pair of a batch, read once as plain values (a commit expires ORM rows; re-reading each costs
    a query per pair)."""

    pair_id: int
    row_id: int  # its PairEnrolment
    people: tuple[int, int]  # mentee (the executive), mentor
    group_key: str  # the group's idnumber: the pair's own, or the executive's panel
    group_name: str


@dataclass
class Batch:
    """One batch's pairs and what each step learnt: LMS user ids, groups, and the pairs that failed."""

    course: str
    plans: list[PairPlan]
    people: dict[int, LmsPerson | None]  # employee id -> who to find or create (None: no work email)
    users: dict[int, str] = field(default_factory=dict)  # employee id -> LMS user id
    groups: dict[int, str] = field(default_factory=dict)  # pair id -> LMS group id
    failed: dict[int, str] = field(default_factory=dict)  # pair id -> why

    def live(self) -> list[PairPlan]:
        return [p for p in self.plans if p.pair_id not in self.failed]

    def fail(self, pair_ids, reason: str) -> None:
        for pid in pair_ids:
            self.failed.setdefault(pid, reason)


def enqueue_cohort(tenant: Tenant, settings: Settings, pair_ids: list[int]) -> list[str]:
    """Queue an approved cohort's enrolment: batch jobs per course where the LMS takes arrays, the per-pair
    job elsewhere and for small groups. Commits; returns the job ids."""
    pairs = {p.id: p for part in _parts(pair_ids) for p in tenant.all(Pair, Pair.id.in_(part))}
    for pid in set(pair_ids) - pairs.keys():
        tenant.get(Pair, pid)  # another organisation's pair: NotFound
    programmes = {i: tenant.get(Programme, i) for i in {p.programme_id for p in pairs.values()}}
    vendors = {i: tenant.get(Connection, i).vendor for i in {p.lms_connection_id for p in programmes.values()} if i}
    by_course: dict[tuple[int, str], list[int]] = defaultdict(list)
    single = []
    for pid in pair_ids:
        prog = programmes[pairs[pid].programme_id]
        if not (prog.lms_connection_id and prog.lms_course_id):
            continue
        if vendors[prog.lms_connection_id] in BATCH_VENDORS:
            by_course[(prog.lms_connection_id, str(prog.lms_course_id))].append(pid)
        else:
            single.append(pid)
    messages = []
    for (conn_id, course), ids in by_course.items():
        if len(ids) < BATCH_MIN:
            single += ids
            continue
        _queued(tenant, ids)
        for part in [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]:
            key = f"enrol-batch-{conn_id}-{course}-{part[0]}-{part[-1]}-{len(part)}"
            messages.append(
                outbox.later(tenant.session, BATCH_JOB, key=key, organisation_id=tenant.organisation_id, pair_ids=part)
            )
    ids = [outbox.prefixed_job_id(settings, outbox.job_id(m)) for m in messages]
    tenant.session.commit()
    return ids + (enqueue_enrolments(tenant, settings, single) if single else [])


def _queued(tenant: Tenant, pair_ids: list[int]) -> None:
    """Each pair's enrolment record says "queued" (created where missing), in the outbox's transaction."""
    have = {
        pid
        for part in _parts(pair_ids)
        for pid in tenant.session.scalars(select(PairEnrolment.pair_id).where(PairEnrolment.pair_id.in_(part)))
    }
    for part in _parts(pair_ids):
        tenant.session.execute(
            update(PairEnrolment)
            .where(PairEnrolment.organisation_id == tenant.organisation_id, PairEnrolment.pair_id.in_(part))
            .values(status="queued", detail="")
            .execution_options(synchronize_session=False)
        )
    for pid in pair_ids:
        if pid not in have:
            tenant.add(PairEnrolment(pair_id=pid, status="queued", detail="", attempts=0))


def enrol_batch(tenant: Tenant, connector, connection_id: int, pair_ids: list[int]) -> Batch:
    """Accounts, enrolments, groups and memberships of many pairs of one course, each item written once."""
    connection = tenant.get(Connection, connection_id)
    batch, ended = _load(tenant, connection, pair_ids)
    _update(tenant, batch.plans, status="enrolling", detail="", attempts=PairEnrolment.attempts + 1)
    for pid, status in ended.items():  # it ended while the job waited: enrolling now would be wrong
        batch.fail([pid], f"pair {pid} is {status}; not enrolled")
    receipts = BatchReceipts.for_connection(tenant, connection.id)
    _accounts(receipts, connector, batch)
    _enrolments(receipts, connector, batch)
    _groups(receipts, connector, batch)
    _memberships(receipts, connector, batch)
    _finish(tenant, batch)
    return batch


def _load(tenant: Tenant, connection: Connection, pair_ids: list[int]) -> tuple[Batch, dict[int, str]]:
    """The batch's pairs, people and enrolment records in a few queries."""
    pairs = {p.id: p for part in _parts(pair_ids) for p in tenant.all(Pair, Pair.id.in_(part))}
    for pid in set(pair_ids) - pairs.keys():
        tenant.get(Pair, pid)  # NotFound
    rows = {
        r.pair_id: r for part in _parts(pair_ids) for r in tenant.all(PairEnrolment, PairEnrolment.pair_id.in_(part))
    }
    for pid in set(pair_ids) - rows.keys():
        rows[pid] = tenant.add(PairEnrolment(pair_id=pid, status="queued", detail="", attempts=0))
    eids = sorted({e for p in pairs.values() for e in (p.mentee_employee_id, p.mentor_employee_id)})
    people = {e.id: e for part in _parts(eids) for e in tenant.all(Employee, Employee.id.in_(part))}
    programmes = {pid: tenant.get(Programme, pid) for pid in {p.programme_id for p in pairs.values()}}
    courses = {str(pr.lms_course_id) for pr in programmes.values()}
    if len(courses) != 1 or any(pr.lms_connection_id != connection.id for pr in programmes.values()):
        raise FatalError(f"a batch must be one course of connection {connection.id}; these pairs are in {courses}")
    tenant.session.flush()
    plans = [_plan(pairs[pid], rows[pid].id, programmes[pairs[pid].programme_id], people) for pid in pair_ids]
    batch = Batch(courses.pop(), plans, {e.id: _person(e) for e in people.values()})
    ended = {pid: p.status for pid, p in pairs.items() if p.status not in RUNNING_PAIR}
    tenant.session.commit()
    return batch, ended


def _parts(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + 500] for i in range(0, len(ids), 500)]  # under SQLite's bound-parameter limit


def _plan(pair: Pair, row_id: int, prog: Programme, people: dict[int, Employee]) -> PairPlan:
    """Where the pair's people meet: its own group, or the executive's panel group (several mentors each)."""
    exec_, mentor, org = people[pair.mentee_employee_id], people[pair.mentor_employee_id], prog.organisation_id
    if prog.mentors_per_executive > 1:
        key, name = f"flipside-{org}-panel-{prog.id}-{exec_.id}", f"Panel: {_name(exec_)}"
    else:
        key, name = f"flipside-{org}-pair-{pair.id}", f"Pair {pair.id}: {_name(exec_)} & {_name(mentor)}"
    return PairPlan(pair.id, row_id, (exec_.id, mentor.id), key, name)


def _person(person: Employee) -> LmsPerson | None:
    if not person.work_email:
        return None
    first = person.preferred_name or person.first_name
    return LmsPerson(person.work_email, first, person.last_name, external_id=f"flipside-{person.id}")


def _finish(tenant: Tenant, batch: Batch) -> None:
    """Record each pair's outcome: enrolled with its group, or failed with the reason."""
    failed = [p for p in batch.plans if p.pair_id in batch.failed]
    for plan in failed:
        _update(tenant, [plan], status="failed", detail=batch.failed[plan.pair_id][:2000])
    table = PairEnrolment.__table__
    done = [{"rid": p.row_id, "ref": batch.groups[p.pair_id]} for p in batch.live()]
    if done:
        tenant.session.execute(
            update(table)
            .where(table.c.id == bindparam("rid"), table.c.organisation_id == tenant.organisation_id)
            .values(status="enrolled", detail="", group_ref=bindparam("ref")),
            done,
        )
    tenant.session.commit()


def mark_all(tenant: Tenant, pair_ids: list[int], status: str, detail: str = "") -> None:
    """Every pair of a batch in one state (a retriable or fatal stop of the whole batch)."""
    mine = {p for part in _parts(pair_ids) for p in tenant.session.scalars(select(Pair.id).where(Pair.id.in_(part)))}
    for pid in set(pair_ids) - mine:
        tenant.get(Pair, pid)  # another organisation's pair: NotFound
    for part in _parts(pair_ids):
        tenant.session.execute(
            update(PairEnrolment)
            .where(PairEnrolment.organisation_id == tenant.organisation_id, PairEnrolment.pair_id.in_(part))
            .values(status=status, detail=detail[:2000])
            .execution_options(synchronize_session=False)
        )
    tenant.session.commit()


def _update(tenant: Tenant, plans: list[PairPlan], **values) -> None:
    for part in _parts([p.row_id for p in plans]):
        tenant.session.execute(
            update(PairEnrolment)
            .where(PairEnrolment.organisation_id == tenant.organisation_id, PairEnrolment.id.in_(part))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    tenant.session.commit()


def _accounts(receipts: BatchReceipts, connector, batch: Batch) -> None:
    """LMS accounts: found by email first (which also settles an interrupted creation), else created."""
    pairs_of: dict[int, list[int]] = defaultdict(list)
    for plan in batch.live():
        for eid in plan.people:
            pairs_of[eid].append(plan.pair_id)
    for eid in pairs_of:
        if batch.people[eid] is None:
            batch.fail(pairs_of[eid], f"employee {eid} has no work email to find or create an LMS account with")
    wanted = {f"user:{e}": pids[0] for e, pids in pairs_of.items() if not set(pids) <= batch.failed.keys()}
    claims = receipts.claim_many("user", wanted)
    batch.users.update({int(k.split(":")[1]): c.vendor_ref for k, c in claims.items() if c.state == "done"})
    todo = {int(k.split(":")[1]): c.id for k, c in claims.items() if c.state != "done"}
    found = connector.find_users_many([batch.people[e].email for e in todo]) if todo else {}
    hits = {e: found[batch.people[e].email.lower()].id for e in todo if batch.people[e].email.lower() in found}
    receipts.finish_many({todo.pop(e): uid for e, uid in hits.items()})
    batch.users.update(hits)
    for part in chunks([(e, batch.people[e]) for e in todo], 7):
        done, bad = split_failures(part, lambda items: connector.create_users_many([p for _e, p in items]))
        receipts.finish_many({todo[e]: user.id for (e, _p), user in done})
        batch.users.update({e: user.id for (e, _p), user in done})
        receipts.release([todo[e] for (e, _p), _err in bad])
        for (e, _p), err in bad:
            batch.fail(pairs_of[e], f"the LMS refused the account of employee {e}: {err}")


def _step(receipts: BatchReceipts, action: str, items: dict[str, tuple], reconcile, write, fields: int, batch: Batch):
    """One write step for many items (key -> (pair ids, payload)): claim all, settle interrupted claims
    with one read (`reconcile` -> the payloads already in the LMS), write the rest in split-on-failure
    array calls; returns key -> vendor reference for the items written or found."""
    claims = receipts.claim_many(action, {k: pids[0] for k, (pids, _p) in items.items()})
    out = {k: c.vendor_ref for k, c in claims.items() if c.state == "done"}
    todo = [(k, items[k][1]) for k, c in claims.items() if c.state != "done"]
    if any(claims[k].attempts > 1 for k, _p in todo):  # an earlier run was cut off: what landed?
        there = reconcile()
        receipts.finish_many({claims[k].id: there[p] for k, p in todo if p in there})
        out.update({k: there[p] for k, p in todo if p in there})
        todo = [(k, p) for k, p in todo if p not in there]
    for part in chunks(todo, fields):
        done, bad = split_failures(part, lambda chunk: write([p for _k, p in chunk]))
        refs = {k: answer for (k, _p), answer in done}
        receipts.finish_many({claims[k].id: ref for k, ref in refs.items()})
        out.update(refs)
        receipts.release([claims[k].id for (k, _p), _err in bad])
        for (k, _p), err in bad:
            batch.fail(items[k][0], f"the LMS refused {action} {k}: {err}")
    return out


def _enrolments(receipts: BatchReceipts, connector, batch: Batch) -> None:
    course = batch.course
    items: dict[str, tuple[list[int], str]] = {}
    for plan in batch.live():
        for eid in plan.people:
            items.setdefault(f"enrol:{course}:{eid}", ([], batch.users[eid]))[0].append(plan.pair_id)

    def reconcile():
        return {uid: f"{uid}@{course}" for uid in connector.enrolled_ids(course)}

    def write(uids):
        connector.enrol_many(course, uids)
        return [f"{uid}@{course}" for uid in uids]

    _step(receipts, "enrol", items, reconcile, write, 3, batch)


def _groups(receipts: BatchReceipts, connector, batch: Batch) -> None:
    course = batch.course
    items: dict[str, tuple[list[int], tuple[str, str]]] = {}
    for plan in batch.live():
        items.setdefault(f"group:{course}:{plan.group_key}", ([], (plan.group_key, plan.group_name)))[0].append(
            plan.pair_id
        )

    def reconcile():
        there = connector.groups_by_idnumber(course)
        return {spec: there[spec[0]] for _pids, spec in items.values() if spec[0] in there}

    refs = _step(
        receipts, "group", items, reconcile, lambda specs: connector.create_groups_many(course, specs), 4, batch
    )
    for plan in batch.live():
        batch.groups[plan.pair_id] = refs[f"group:{course}:{plan.group_key}"]


def _memberships(receipts: BatchReceipts, connector, batch: Batch) -> None:
    items: dict[str, tuple[list[int], tuple[str, str]]] = {}
    for plan in batch.live():
        group = batch.groups[plan.pair_id]
        for eid in plan.people:
            uid = batch.users[eid]
            items.setdefault(f"member:{group}:{uid}", ([], (group, uid)))[0].append(plan.pair_id)

    def reconcile():
        there = connector.members_of(sorted({g for _pids, (g, _u) in items.values()}))
        return {m: m[1] for m in there}

    def write(members):
        connector.add_members_many(members)
        return [uid for _g, uid in members]

    _step(receipts, "member", items, reconcile, write, 2, batch)
