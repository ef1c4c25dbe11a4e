"""Every service function and every route that takes ids, called by one organisation with another's ids.

The walk is built from the code itself (the services' signatures, the app's URL map), so a new function
or route is walked as soon as it exists; one whose arguments the walk cannot build fails here until it is
added below. The expectation is "not found": a NotFound (404), or nothing at all, and in every case no
row of the other organisation changed and no job queued.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

import plugin.services as services_package
from plugin.db import db
from plugin.errors import NotFound
from plugin.jobs.queue import all_queues
from plugin.models import (
    ApiToken,
    ChatWebhook,
    CourseRoster,
    Employee,
    ExtensionProposal,
    LtiRegistration,
    OutboundMessage,
    PreRead,
    SessionLog,
    SyncRequest,
    SyncRun,
)
from plugin.models.tenancy import tenant_tables
from plugin.services import admin_login, api_tokens
from tests.admin_world import add_employee, add_pair, add_programme
from tests.lms_fixtures import moodle_connection

NOT_WALKED = {
    "audit.record": "writes the caller's own audit row; takes no id to look up",
    "privacy.viewed": "writes the caller's own audit row about what it showed",
    "reflections.respondent_for": "takes a Pair row the caller already loaded through its Tenant",
    "safeguard.check": "takes the SyncRun and Connection rows its sync already loaded through its Tenant",
    "lms_check.check_lms": "takes the Connection row connection_test.test_connection loaded through its Tenant",
    "messages.queue_lms": "takes the Employee row the caller loaded; the connection id is looked up through the "
    "Tenant when the message is sent (lms_messages.open_for), so a foreign one fails there",
}


class Untouchable:
    """A vendor connector: any use of it means a foreign pair got as far as the LMS."""

    def __getattr__(self, name):
        raise AssertionError(f"a vendor was called ({name}) for another organisation's row")


@pytest.fixture
def world(make_org, session, vault):
    """Two organisations; `theirs` has one of everything, `mine` is the caller."""
    mine, theirs = make_org("mine"), make_org("theirs")
    add_employee(mine, 1)
    mentor, mentee = add_employee(theirs, 1), add_employee(theirs, 2, job_level=8)
    programme = add_programme(theirs)
    pair = add_pair(theirs, programme, mentor, mentee, status="active")
    log = theirs.add(SessionLog(pair_id=pair.id, held_on=date(2024, 9, 9), minutes=45, logged_by_role="mentor"))
    proposal = theirs.add(ExtensionProposal(pair_id=pair.id, proposed_by_role="mentee", weeks=12))
    connection = moodle_connection(theirs, vault, "https://moodle.example.test")
    api_tokens.issue(theirs, "theirs")
    held = theirs.add(SyncRun(connection_id=connection.id, kind="full", status="held", safeguard="held"))
    request = theirs.add(SyncRequest(connection_id=connection.id, source_ids=["1"]))
    registration = LtiRegistration(
        issuer="https://moodle.example.test",
        client_id="walk",
        auth_login_url="https://moodle.example.test/auth",
        auth_token_url="https://moodle.example.test/token",
    )
    session.add(registration)
    session.flush()
    roster = theirs.add(
        CourseRoster(
            registration_id=registration.id,
            context_id="2",
            unlinked=[],
            memberships_url="https://moodle.example.test/memberships",
        )
    )
    webhook = theirs.add(
        ChatWebhook(programme_id=programme.id, vendor="slack", host="hooks.slack.com", url_ciphertext=b"sealed")
    )
    failed = theirs.add(
        OutboundMessage(
            event_key="walk",
            category="nudge",
            recipient_id=mentor.id,
            channel="email",
            address="someone@example.test",
            locale="en",
            subject="s",
            body_text="t",
            body_html="h",
            message_id="<walk@flipside.invalid>",
            state="failed",
        )
    )
    pre_read = theirs.add(
        PreRead(pair_id=pair.id, title="Theirs", url="https://example.test/read", added_by_role="mentor")
    )
    session.flush()
    token = theirs.all(ApiToken)[0]
    ids = {
        "programme_id": programme.id,
        "pair_id": pair.id,
        "other_pair_id": pair.id,
        "employee_id": mentor.id,
        "session_id": log.id,
        "proposal_id": proposal.id,
        "connection_id": connection.id,
        "token_id": token.id,
        "registration_id": 1,
        "link_id": 1,
        "run_id": held.id,
        "request_id": request.id,
        "roster_id": roster.id,
        "webhook_id": webhook.id,
        "message_id": failed.id,
        "pre_read_id": pre_read.id,
        "pair": pair,
    }
    session.commit()
    return mine, theirs, ids


def _arguments(fn, ids: dict, app, vault) -> dict:
    """Keyword arguments for `fn`: the other organisation's ids, plausible values for the rest."""
    values = {
        **ids,
        "pair_ids": [ids["pair_id"]],
        "version": 1,
        "vault": vault,
        "engine": db.engine,
        "settings": app.config["FLIPSIDE"],
        "connector": Untouchable(),
        "base_url": "https://flipside.example.test",
        "data": {},
        "min_sessions": 1,
        "final_reflection": False,
        "actor": "intruder",
        "period": 1,
        "goals": "intruder's goals",
        "agenda": "intruder's agenda",
        "title": "intruder's read",
        "picked": {"mentor": ["1"]},
        "programme_ids": [ids["programme_id"]],
        "today": date(2024, 9, 30),
        "behind": 1,
        "locale": "ja-JP",
        "email": "intruder@example.test",
        "role": "coordinator",
        "status": "enrolled",
        "agree": True,
        "join": True,
        "locked": True,
        "target": "active",
        "answers": {},
        "held_on": date(2024, 9, 16),
        "planned_on": date(2024, 9, 30),
        "minutes": 45,
        "topics": [],
        "claims": {},
        "url": "https://flipside.example.test/webhooks",
        "username": "u",
        "secret": "s",
        "deliveries": [],
        "records": [],
        "source_system": "synthetic",
        "form": {"base_url": "https://moodle.example.test", "token": "t"},
        "confirm": "moodle",
        "course_id": "2",
        "source_ids": ["S2"],
        "participant_ids": [1, 2],
        "name": "Next cohort",
        "category": "nudge",
        "wanted": set(),
        "quiet": None,
        "text": "email,role\r\nsam1@example.test,mentor\r\n",  # S2 is theirs only (S1 is both organisations')
        "mentor_id": ids["employee_id"],
        "search": "",
        "secret_key": "walk-secret",
        "regions": ["EMEA"],
    }
    wanted = [
        p
        for p in list(inspect.signature(fn).parameters.values())[1:]
        if p.default is p.empty and p.kind is not p.VAR_POSITIONAL and p.kind is not p.VAR_KEYWORD
    ]
    unknown = [p.name for p in wanted if p.name not in values]
    assert not unknown, f"{fn.__module__}.{fn.__name__}: teach the walk a value for {unknown}"
    return {p.name: values[p.name] for p in wanted}


def _tenant_functions():
    for info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"{services_package.__name__}.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:1] == ["tenant"] and any(p.endswith(("_id", "_ids")) for p in params):
                yield f"{info.name}.{name}", fn


def _nothing(result) -> bool:
    """None, empty, zero, or a tuple or dict of nothing (`([], [])`, `{"enrolled": 0}`)."""
    if isinstance(result, tuple):
        return all(map(_nothing, result))
    if isinstance(result, dict):
        return all(map(_nothing, result.values()))
    if dataclasses.is_dataclass(result):
        return _nothing(dataclasses.asdict(result))
    return not result


def _snapshot(session, organisation_id: int) -> dict:
    """Every tenant-owned row of one organisation, and the length of every queue."""
    session.flush()
    rows = {}
    for table in sorted(tenant_tables(), key=lambda t: t.name):
        stmt = select(table).where(table.c.organisation_id == organisation_id)
        rows[table.name] = sorted(map(tuple, session.connection().execute(stmt)), key=repr)
    return rows


def _queued(app) -> int:
    return sum(q.count + q.scheduled_job_registry.count for q in all_queues(app.config["FLIPSIDE"]))


def test_every_service_function_answers_another_organisations_ids_with_not_found(world, app, vault, session):
    mine, theirs, ids = world
    walked = []
    for name, fn in _tenant_functions():
        if name in NOT_WALKED:
            continue
        before, queued = _snapshot(session, theirs.organisation_id), _queued(app)
        try:
            result = fn(mine, **_arguments(fn, ids, app, vault))
        except NotFound:
            result = None
        assert _nothing(result), f"{name} returned {result!r} for another organisation's ids"
        assert _snapshot(session, theirs.organisation_id) == before, f"{name} changed another organisation's rows"
        assert _queued(app) == queued, f"{name} queued a job for another organisation's rows"
        session.rollback()
        walked.append(name)
    assert len(walked) >= 50  # the walk really found the services (62 today)


def _id_routes(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if ints and rule.rule.startswith(("/api/", "/admin/", "/me/")):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


FORM = {
    "csrf_token": "t",
    "version": "1",
    "held_on": "2024-09-16",
    "planned_on": "2024-09-30",
    "minutes": "45",
    "q1": "4",
    "q2": "4",
    "q3": "4",
    "final": "1",
    "agree": "1",
    "confirm": "1",
    "text": "Went well",
    "action": "lock",
    "status": "active",
    "name": "Next cohort",
}
"""A well-formed body for every form: only the foreign id may be what a route refuses."""


BODIES = {
    "api.act_on_pair": {"action": "lock"},
    "api.change_status": {"status": "active"},
    "api.update_programme": {"name": "Renamed by a stranger"},
}
ID_FIELDS = {"api.swap_pairs": ("pair_id", "other_pair_id")}
"""Well-formed JSON bodies (with the other organisation's ids in them where a body carries ids)."""


def _signed_in(client, user: dict) -> None:
    with client.session_transaction() as s:
        s["user"] = user
        s["csrf_token"] = "t"


def test_every_route_answers_another_organisations_ids_with_not_found(world, app, client, session):
    mine, theirs, ids = world
    token = api_tokens.issue(mine, "mine")
    learner = mine.all(Employee)[0]
    session.commit()
    before = _snapshot(session, theirs.organisation_id)
    walked = []
    for rule, method in _id_routes(app):
        url = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]
        if rule.rule.startswith("/api/"):
            body = {**BODIES.get(rule.endpoint, {}), **{k: ids[k] for k in ID_FIELDS.get(rule.endpoint, ())}}
            response = client.open(url, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        else:
            admin = admin_login.session_user(mine.organisation_id)
            user = {**admin, "role": "participant", "employee_id": learner.id} if url.startswith("/me/") else admin
            _signed_in(client, user)
            response = client.open(url, method=method, data=FORM)
        assert response.status_code == 404, f"{method} {rule.rule} answered {response.status_code}"
        walked.append(f"{method} {rule.rule}")
    session.rollback()
    assert _snapshot(session, theirs.organisation_id) == before
    assert len(walked) >= 30, walked
