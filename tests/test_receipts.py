"""The one receipt rule: a vendor write happens once, whoever races for it, and a live writer's claim is its own."""

import threading
from datetime import timedelta

import pytest

from plugin.db import db
from plugin.errors import LockTimeout
from plugin.models import Receipt, utcnow
from plugin.services import receipts
from plugin.services.receipts import LEASE, Receipts
from plugin.services.tenant import Tenant

KEY = "ags:pair:1:mentor"


def _in_thread(app, organisation_id: int, write, outcome: dict, name: str, ready=None):
    """Write once from another thread, with its own session (and so its own database connection)."""

    def run():
        with app.app_context():
            try:
                if ready is not None:
                    ready.wait(10)
                outcome[name] = Receipts(Tenant(db.session, organisation_id), "ags").once("score", KEY, write)
            except LockTimeout as exc:
                outcome[name] = exc

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_a_second_worker_does_not_reuse_a_live_workers_pending_receipt(app, make_org, session):
    tenant = make_org()
    session.commit()
    writes, outcome = [], {}
    writing, release = threading.Event(), threading.Event()

    def slow_write():
        writes.append("first")
        writing.set()
        release.wait(10)
        return "score-1"

    first = _in_thread(app, tenant.organisation_id, slow_write, outcome, "first")
    assert writing.wait(10)  # the first worker has claimed the key and is inside the vendor call
    second = _in_thread(app, tenant.organisation_id, lambda: writes.append("second") or "score-2", outcome, "second")
    second.join(10)
    release.set()
    first.join(10)
    assert isinstance(outcome["second"], LockTimeout) and outcome["first"] == "score-1"
    assert writes == ["first"]
    # its retry, once the first is done, finds the write made and makes none
    again = _in_thread(app, tenant.organisation_id, lambda: writes.append("again") or "score-3", outcome, "again")
    again.join(10)
    assert outcome["again"] == "score-1" and writes == ["first"]
    session.expire_all()
    assert [(r.key, r.state, r.vendor_ref) for r in tenant.all(Receipt)] == [(KEY, "done", "score-1")]


def test_workers_starting_together_write_once(app, make_org, session):
    tenant = make_org()
    session.commit()
    writes, outcome, go = [], {}, threading.Event()
    lock = threading.Lock()

    def write():
        with lock:
            writes.append(threading.current_thread().name)
        return "score-1"

    threads = [_in_thread(app, tenant.organisation_id, write, outcome, f"w{n}", ready=go) for n in range(4)]
    go.set()
    for thread in threads:
        thread.join(20)
    assert len(writes) == 1
    assert all(v == "score-1" or isinstance(v, LockTimeout) for v in outcome.values()), outcome
    session.expire_all()
    assert tenant.count(Receipt) == 1


def _pending(tenant: Tenant, owner: str, claimed_ago: timedelta) -> Receipt:
    row = tenant.add(
        Receipt(
            scope="ags",
            key=KEY,
            action="score",
            state="pending",
            owner=owner,
            claimed_at=utcnow() - claimed_ago,
            attempts=1,
        )
    )
    tenant.session.commit()
    return row


def test_a_dead_writers_claim_is_taken_over_after_its_lease_and_the_vendor_asked_first(make_org):
    tenant = make_org()
    _pending(tenant, "worker-that-died", LEASE + timedelta(seconds=1))
    writes = []
    ref = Receipts(tenant, "ags").once(
        "score", KEY, lambda: writes.append(1) or "new", reconcile=lambda: "landed-before-the-crash"
    )
    assert (ref, writes) == ("landed-before-the-crash", [])
    row = tenant.all(Receipt)[0]
    assert (row.state, row.attempts, row.owner) == ("done", 2, receipts.writer())


def test_a_job_rerun_resumes_its_own_claim_at_once(make_org):
    tenant = make_org()
    _pending(tenant, "enrol-pair-7", timedelta(seconds=5))
    token = receipts.WRITER.set("enrol-pair-7")  # what plugin.jobs.task sets for that job's rerun
    try:
        ref = Receipts(tenant, "ags").once("score", KEY, lambda: "written", reconcile=lambda: None)
    finally:
        receipts.WRITER.reset(token)
    assert ref == "written" and tenant.all(Receipt)[0].attempts == 2


def test_a_fresh_claim_of_another_writer_is_refused_without_writing(make_org):
    tenant = make_org()
    _pending(tenant, "enrol-pair-8", timedelta(seconds=5))
    with pytest.raises(LockTimeout, match="another job is writing"):
        Receipts(tenant, "ags").once("score", KEY, lambda: pytest.fail("wrote over a live claim"))
    row = tenant.all(Receipt)[0]
    assert (row.state, row.owner, row.attempts) == ("pending", "enrol-pair-8", 1)
    assert LockTimeout.counts_as_attempt is False  # waiting for it spends no job retry


def test_scopes_keep_equal_keys_apart(make_org):
    """Two LMS connections may both have a `user:5`; neither receipt answers for the other."""
    tenant = make_org()
    from plugin.models import Connection

    one, two = (tenant.add(Connection(vendor="moodle", kind="lms", name=n)) for n in ("A", "B"))
    tenant.session.flush()
    Receipts.for_connection(tenant, one.id).once("user", "user:5", lambda: "41")
    assert Receipts.for_connection(tenant, two.id).once("user", "user:5", lambda: "99") == "99"
    assert Receipts.for_connection(tenant, one.id).done("user:5") == "41"
