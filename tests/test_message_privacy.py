"""No message ever carries what someone wrote privately: every letter template, rendered by its real event with
planted private writing in the database (reflections, session notes and topics, goals, aspirations), is free of it.

The test spies on every function of plugin/services/letters.py that returns a Letter and fails when one was not
rendered, so a new template cannot be added without being checked here.
"""

import inspect
from datetime import date, timedelta

import pytest

from plugin.db import db
from plugin.jobs import cadence as cadence_jobs
from plugin.jobs import completion as completion_jobs
from plugin.jobs import notify
from plugin.models import Employee, OutboundMessage, Pair, Profile, Programme, Reflection, SessionLog, utcnow
from plugin.services import (
    announcements,
    completion,
    extensions,
    invitations,
    letters,
    opt_in,
    pair_health,
    reflections,
    sessions,
)
from plugin.services.tenant import Tenant
from tests.factories import make_active_pair, make_person
from tests.smtp_server import stored_messages
from tests.test_credentials import tool_keys  # noqa: F401  (the signing keys fixture)

# one marker per kind of private writing, so a leak names what leaked
PLANTED = {
    "reflection": "PLANTED-REFLECTION-7f3a my manager is the problem",
    "final_reflection": "PLANTED-FINAL-REFLECTION-9c1d I want to leave the company",
    "session_topic": "PLANTED-SESSION-NOTE-2b8e layoffs in Q3",
    "learning_goal": "PLANTED-GOAL-5e6f cope with my burnout",
    "expertise": "PLANTED-EXPERTISE-0a4c private side project",
    "aspiration": "PLANTED-ASPIRATION-4d2a become CEO before my boss",
}


@pytest.fixture
def rendered(monkeypatch):
    """Every letter template by name, with the arguments of each call (the spies call the real template)."""
    calls: dict[str, list] = {}
    templates = {
        name: fn
        for name, fn in vars(letters).items()
        if inspect.isfunction(fn) and fn.__module__ == letters.__name__ and fn.__annotations__.get("return") == "Letter"
    }

    def spy(name, fn):
        def call(*args, **kwargs):
            calls.setdefault(name, []).append(inspect.signature(fn).bind(*args, **kwargs).arguments)
            return fn(*args, **kwargs)

        return call

    for name, fn in templates.items():
        monkeypatch.setattr(letters, name, spy(name, fn))
    return templates, calls


def plant(tenant, people):
    """Private writing of both partners where Flipside keeps it: profiles, employee records, session topics."""
    for person in people:
        row = tenant.get(Employee, person.id)
        row.learning_goals, row.expertise = [PLANTED["learning_goal"]], [PLANTED["expertise"]]
        tenant.add(
            Profile(
                employee_id=person.id,
                learning_goals=[PLANTED["learning_goal"]],
                expertise=[PLANTED["expertise"]],
                aspirations=[PLANTED["aspiration"]],
                source="self",
            )
        )
    tenant.session.flush()


def everything(mail) -> str:
    """Every header and every decoded part of a received message (base64 and quoted-printable undone)."""
    parts = [f"{key}: {value}" for key, value in mail.items()]
    for part in mail.walk():
        if not part.is_multipart():
            content = part.get_content()
            parts.append(content if isinstance(content, str) else content.decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.mark.usefixtures("tool_keys")
def test_no_letter_of_any_kind_carries_private_writing(make_org, smtp_server, rendered):
    templates, calls = rendered
    tenant = make_org()
    org = tenant.organisation_id
    haruto = make_person(tenant, 1, first_name="Haruto", country="JP", timezone="Asia/Tokyo", job_level=2)
    beatriz = make_person(tenant, 2, first_name="Beatriz", country="BR", timezone="America/Sao_Paulo", job_level=9)
    pair = make_active_pair(tenant, mentor=haruto, mentee=beatriz, agreed=True, started_days_ago=40)
    pair_id, people = pair.id, (haruto, beatriz)
    plant(tenant, people)
    db.session.commit()

    def fresh() -> Tenant:  # a job run here closes the test's session, as a worker's would
        return Tenant(db.session, org)

    announcements.announce_pairs(fresh(), [pair_id])  # the pairing announcement
    pair_health.nudge(fresh(), pair_id)  # HR's nudge: silent for 40 days, at risk
    invitations.refresh(fresh(), utcnow())  # the next session's invitation
    db.session.commit()
    fresh().get(Employee, beatriz.id).timezone = "Asia/Kolkata"
    invitations.refresh(fresh(), utcnow())  # its new time
    db.session.commit()
    # the session and its reflections carry private writing; logging it asks the other partner to confirm
    held = sessions.log_session(
        fresh(), pair_id, haruto.id, date.today() - timedelta(days=1), 45, [PLANTED["session_topic"]]
    )
    for person in people:
        reflections.submit(fresh(), pair_id, person.id, [4, 4, 4], PLANTED["reflection"], session_id=held.id)
    sessions.confirm_session(fresh(), held.id, beatriz.id)
    for days_ago in (5, 4):  # the executive cancels twice: the gentle note
        sessions.cancel_session(fresh(), pair_id, beatriz.id, date.today() - timedelta(days=days_ago))
    proposal = extensions.propose(fresh(), pair_id, beatriz.id)
    extensions.decide(fresh(), proposal.id, haruto.id, agree=True)
    db.session.commit()
    assert cadence_jobs.remind_pair(org, pair_id, 9, 2)  # the reminder at the cadence
    completion.set_rule(fresh(), fresh().get(Pair, pair_id).programme_id, 1, True)
    for person in people:
        reflections.submit(fresh(), pair_id, person.id, [5, 5, 5], PLANTED["final_reflection"], final=True)
    completion.complete_if_done(fresh(), pair_id)
    db.session.commit()
    completion_jobs.issue_credentials(org, pair_id)  # completion and the credential
    invitations.refresh(fresh(), utcnow())  # the pair is over: the invitation is cancelled
    db.session.commit()
    levels = {"mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": 2}]}}
    levels["mentee_rules"] = {"all": [{"field": "job_level", "op": ">=", "value": 9}]}
    cohort = fresh().add(Programme(name="Opt-in cohort", enrolment="opt_in", status="draft", **levels))
    db.session.flush()
    opt_in.invite(fresh(), cohort.id, "a-secret", "https://flipside.example.test")  # the opt-in invitation
    db.session.commit()

    # the writing is really there, where the letters' events could have read it
    texts = {r.text for r in fresh().all(Reflection)}
    assert {PLANTED["reflection"], PLANTED["final_reflection"]} <= texts
    assert [PLANTED["session_topic"]] in [s.topics for s in fresh().all(SessionLog)]
    assert set(calls) == set(templates), f"templates never rendered here: {set(templates) - set(calls)}"
    assert {c["change"] for c in calls["invitation"]} == {"new", "moved", "cancelled"}

    stored = stored_messages().all()
    assert {m.category for m in stored} == {
        "pairing",
        "nudge",
        "reminder",
        "confirmation",
        "cancellations",
        "extension",
        "completion",
        "invitation",
    }
    for row in stored:
        written = "\n".join((row.subject, row.body_text, row.body_html, row.calendar))
        for kind, text in PLANTED.items():
            assert text.split(" ", 1)[0] not in written and text.split(" ", 1)[1] not in written, (kind, row.event_key)
    assert notify.deliver()["sent"] == len(stored) == stored_messages().filter(OutboundMessage.state == "sent").count()
    received = smtp_server.inbox.received
    assert len(received) == len(stored)
    assert all("Haruto" in everything(m) or "Beatriz" in everything(m) for m in received)  # the decoding works
    for mail in received:
        body = everything(mail)
        for kind, text in PLANTED.items():
            assert text.split(" ", 1)[0] not in body and text.split(" ", 1)[1] not in body, (kind, mail["Subject"])
