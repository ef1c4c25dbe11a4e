"""Completion: the rule, exactly-once write-back of scores and training records, and what leaves Flipside."""

import json
from datetime import date, timedelta

import pytest

from plugin.connectors.bamboohr import BambooHRConnector
from plugin.connectors.training import BambooHRTrainingWriter, TrainingCompletion
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.jobs.completion import write_completion
from plugin.models import Pair
from plugin.services import completion, connections, reflections, sessions, writeback
from tests.factories import make_active_pair, make_person, make_record

SECRET_NOTE = "I worry my manager ignores me"
SECRET_TOPIC = "restructuring-rumours"


class FakeGradebook:
    """A course gradebook that keeps every score posted to it (the LTI platform stands in after the merge)."""

    def __init__(self):
        self.scores: dict[int, list] = {}

    def account(self, employee_id):
        return f"lms-{employee_id}"

    def find(self, employee_id):
        return "score" if self.scores.get(employee_id) else None

    def write(self, employee_id, score, comment):
        self.scores.setdefault(employee_id, []).append({"score": score, "comment": comment})
        return "score"


@pytest.fixture
def bamboohr():
    emulator = BambooHREmulator([make_record("11"), make_record("12")], api_key="key").start()
    yield emulator
    emulator.stop()


@pytest.fixture
def gradebook(monkeypatch):
    fake = FakeGradebook()
    monkeypatch.setattr(writeback.WRITERS, "gradebook", lambda tenant, rule: fake)
    return fake


def completed_pair(tenant, vault, emulator) -> Pair:
    conn = connections.create_connection(
        tenant,
        vault,
        "bamboohr",
        settings={"company": "acme", "origin": emulator.base_url},
        credentials={"api_key": "key"},
    )
    mentor = make_person(tenant, 11, source_id="11", connection_id=conn.id)
    mentee = make_person(tenant, 12, source_id="12", connection_id=conn.id, country="JP")
    pair = make_active_pair(tenant, agreed=True, mentor=mentor, mentee=mentee)
    completion.set_rule(tenant, pair.programme_id, min_sessions=2, final_reflection=True)
    for days_ago in (7, 0):
        held = sessions.log_session(
            tenant, pair.id, mentor.id, date.today() - timedelta(days=days_ago), 45, [SECRET_TOPIC]
        )
        sessions.confirm_session(tenant, held.id, mentee.id)
        reflections.submit(tenant, pair.id, mentee.id, [1, 1, 1], SECRET_NOTE, session_id=held.id)
    reflections.submit(tenant, pair.id, mentor.id, [5, 5, 5], final=True)
    assert completion.complete_if_done(tenant, pair.id) is None  # the mentee's final reflection is missing
    reflections.submit(tenant, pair.id, mentee.id, [4, 4, 4], SECRET_NOTE, final=True)
    assert completion.complete_if_done(tenant, pair.id) is not None
    tenant.session.commit()
    return pair


def test_the_rule_names_what_is_missing(make_org):
    tenant = make_org()
    pair = make_active_pair(tenant, agreed=True)
    rule = completion.domain_rule(completion.set_rule(tenant, pair.programme_id, 3, True))
    missing = completion.progress_of(tenant, pair).missing(rule)
    assert missing == ["3 more confirmed session(s)", "the mentor's final reflection", "the mentee's final reflection"]


def test_rerunning_the_write_back_writes_one_score_and_one_record_per_person(make_org, vault, bamboohr, gradebook):
    tenant = make_org()
    pair = completed_pair(tenant, vault, bamboohr)
    for _ in range(3):
        write_completion(tenant.organisation_id, pair.id)
    assert {k: len(v) for k, v in gradebook.scores.items()} == {pair.mentor_employee_id: 1, pair.mentee_employee_id: 1}
    records = bamboohr.training.all_records()
    assert sorted(r["employeeId"] for r in records) == ["11", "12"]
    types = {t["id"]: t["name"] for t in bamboohr.training.types.values()}
    # each person's record in their own language and regional framing (a German mentor, a Japanese executive)
    assert sorted(types[int(r["type"])] for r in records) == [
        "Fachdialog: Fachexpert:in",
        "知識交換パートナーシップ：エグゼクティブパートナー",
    ]


def test_nothing_from_sessions_or_reflections_reaches_the_hris_or_the_gradebook(make_org, vault, bamboohr, gradebook):
    tenant = make_org()
    pair = completed_pair(tenant, vault, bamboohr)
    write_completion(tenant.organisation_id, pair.id)
    outbound = [r.body.decode() + json.dumps(r.query) for r in bamboohr.requests]
    outbound += [json.dumps(s) for s in gradebook.scores.values()]
    assert any('"completed"' in body for body in outbound)  # the payloads were seen
    for body in outbound:
        for private in (SECRET_NOTE, SECRET_TOPIC, "minutes", "topics", "q1", "reflection"):
            assert private not in body


def test_a_record_written_before_a_crash_is_found_not_written_again(bamboohr):
    writer = BambooHRTrainingWriter(BambooHRConnector("acme", api_key="key", origin=bamboohr.base_url))
    done = TrainingCompletion("Reverse mentoring: mentor", date(2026, 3, 12), 4.5, "flipside-pair-9-mentor")
    assert writer.find("11", done) is None
    record_id = writer.write("11", done)
    assert BambooHRTrainingWriter(writer.connector).find("11", done) == record_id
    assert len(bamboohr.training.types) == 1  # the type was created once, then found by name


def test_the_workday_learning_record_goes_through_the_same_narrow_writer():
    from plugin.connectors.training import WorkdayLearningWriter
    from plugin.connectors.workday import WorkdayConnector
    from plugin.emulators.workday import WorkdayEmulator

    emulator = WorkdayEmulator([make_record("w1", source_system="workday")]).start()
    try:
        oauth = WorkdayConnector.oauth_client(
            "wd",
            "acme",
            client_id="client",
            client_secret="secret",
            refresh_token=emulator.refresh_token,
            origin=emulator.base_url,
        )
        writer = WorkdayLearningWriter(WorkdayConnector("wd", "acme", oauth=oauth, origin=emulator.base_url))
        done = TrainingCompletion("Reverse mentoring: mentee", date(2026, 3, 12), 4.5, "flipside-pair-3-mentee")
        assert writer.find("w1", done) is None
        record_id = writer.write("w1", done)
        assert writer.find("w1", done) == record_id
        assert [r["learningContent"]["descriptor"] for r in emulator.learning] == ["Reverse mentoring: mentee"]
    finally:
        emulator.stop()


def test_a_participants_launch_tells_the_programme_where_its_gradebook_is(make_org):
    tenant = make_org()
    pair = make_active_pair(tenant, agreed=True, lms_course_id="42")
    claims = {
        completion.AGS_CLAIM: {"lineitems": "https://lms.example/mod/lti/services.php/42/lineitems"},
        completion.CONTEXT_CLAIM: {"id": "7"},
    }
    assert completion.remember_course(tenant, pair.mentor_employee_id, 3, claims) == 0  # another course
    claims[completion.CONTEXT_CLAIM]["id"] = "42"
    assert completion.remember_course(tenant, pair.mentor_employee_id, 3, claims) == 1
    rule = completion.rule_for(tenant, pair.programme_id)
    assert (rule.registration_id, rule.lineitems_url) == (3, "https://lms.example/mod/lti/services.php/42/lineitems")
