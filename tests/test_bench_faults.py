"""The fault suite's checker and machinery on small inputs: a planted fault is counted (no pass by construction)."""

from __future__ import annotations

import socket
import threading
import time
from datetime import date

import pytest

from bench.fault_checks import (
    Person,
    Tally,
    differences,
    false_deactivations,
    lost_changes,
    nulled_values,
    passed,
    result_line,
)
from bench.fault_world import BAD_DATE, FaultyBambooHR, person_of, stored_person
from bench.proxy import TcpProxy
from bench.sync_read import make_workforce


def ada(**values) -> Person:
    return Person(active=True, values={"job_title": "CTO", "department": "Tech", **values})


def test_a_planted_false_deactivation_is_counted_and_a_real_leaver_is_not():
    truth = {"1": ada(), "2": Person(active=False, values={}), "3": ada()}
    stored = {"1": Person(active=False, values=ada().values), "2": Person(active=False, values={}), "3": ada()}

    assert false_deactivations(truth, stored) == {"1"}
    assert false_deactivations(truth, {k: ada() for k in truth}, departed=["3"]) == {"3"}  # sent through a departure


def test_a_planted_nulled_value_is_counted_but_an_erased_leaver_is_not():
    truth = {"1": ada(), "2": Person(active=False, values={"job_title": "Ex"})}
    stored = {"1": ada(department=None), "2": Person(active=False, values={"job_title": None})}

    assert nulled_values(truth, stored) == {("1", "department")}
    assert nulled_values(truth, {"1": ada(department="")}) == {("1", "department")}


def test_a_webhook_change_not_stored_is_lost():
    stored = {"1": ada(job_title="New"), "2": ada()}

    assert lost_changes({"1": {"job_title": "New"}, "2": {"job_title": "Newer"}, "3": {"job_title": "X"}}, stored) == {
        "2",
        "3",
    }


def test_differences_cover_missing_extra_status_and_values():
    truth = {"1": ada(), "2": ada(), "3": Person(active=False, values={"job_title": "Ex"})}
    stored = {"1": ada(), "2": ada(job_title="Old"), "3": Person(active=False, values={}), "9": ada()}

    assert differences(truth, stored) == {"2", "9"}
    assert differences(truth, {"1": ada(), "2": ada()}) == {"3"}
    assert differences(truth, {"1": ada(), "2": ada(), "3": ada()}) == {"3"}  # a leaver still active


def test_the_result_fails_on_any_count_and_on_no_convergence():
    clean = Tally(pairs_requested=3, pairs_enrolled=3)
    assert passed(clean.result())
    assert result_line(clean.result()) == (
        "RESULT lost=0 duplicated=0 false_deactivations=0 nulled_values=0 stuck_runs=0 failed_jobs=0 converged=1"
    )
    planted = [
        Tally(false_deactivated={"7"}),
        Tally(nulled={("7", "department")}),
        Tally(lost_webhook_changes={"7"}),
        Tally(pairs_requested=2, pairs_enrolled=1),
        Tally(duplicate_vendor_writes=1),
        Tally(duplicate_deliveries=1),
        Tally(stuck_runs=1),
        Tally(failed_jobs=1),
        Tally(final_differences={"7"}),
        Tally(left_in_queues=1),
        Tally(workers_died=1),
    ]
    for tally in planted:
        assert not passed(tally.result()), tally
    assert Tally(pairs_requested=2, pairs_enrolled=1).result()["lost"] == 1
    assert Tally(left_in_queues=1).result()["converged"] == 0


def test_the_faulty_emulator_spoils_what_it_sends_but_keeps_the_truth():
    workforce = make_workforce(20, "bamboohr")
    emulator = FaultyBambooHR(workforce)
    emulator.spoil(bad_dates=["3"], missing=["4"])
    emulator.hide(["5"])
    fields = ["hireDate", "department", "jobTitle"]

    assert emulator.report_row("3", fields)["hireDate"] == BAD_DATE
    assert emulator.report_row("4", fields) == {"id": "4", "hireDate": workforce[3].hire_date.isoformat()}
    assert emulator.report_row("5", fields) is None
    truth = emulator.truth()
    assert truth["4"] == person_of(workforce[3]) and truth["5"] == person_of(workforce[4])
    assert truth["3"].values["hire_date"] == workforce[2].hire_date

    emulator.heal()
    assert emulator.report_row("5", fields) is not None
    assert emulator.report_row("4", fields)["department"] == workforce[3].department


def test_a_stored_employee_reads_like_the_truth():
    class Row:
        active, deleted = True, False
        first_name, last_name, work_email, job_title = "Ada", "L", "ada@example.com", ""
        department, division, location, hire_date, manager_source_id = "Tech", None, "London", date(2020, 1, 1), "1"

    person = stored_person(Row)
    assert person.active and person.values["job_title"] is None and person.values["hire_date"] == date(2020, 1, 1)
    Row.deleted = True
    assert not stored_person(Row).active


def _echo_server():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(1024):
                    conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return server


def test_the_proxy_forwards_cuts_refuses_and_comes_back_on_the_same_port():
    server = _echo_server()
    proxy = TcpProxy(server.getsockname()).start()
    try:
        client = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        client.sendall(b"ping")
        assert client.recv(16) == b"ping"

        outage = proxy.outage_in_background(1.0)
        time.sleep(0.3)
        assert client.recv(16) == b""  # the open connection was cut
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", proxy.port), timeout=1)
        outage.join()

        again = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        again.sendall(b"back")
        assert again.recv(16) == b"back"
        assert proxy.outages and proxy.outages[0] >= 1.0
        again.close()
        client.close()
    finally:
        proxy.stop()
        server.close()
