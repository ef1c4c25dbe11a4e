"""Per-pair goals, agenda and pre-reads: both partners edit them, nobody else can even find them, bad input is
refused and nothing of it reaches the audit trail."""

from __future__ import annotations

import pytest

from plugin.errors import NotAgreed, NotFound, ValidationError
from plugin.models import AuditEvent, Employee, PairPlan, PreRead
from plugin.services import agreements, pair_plans
from tests.factories import make_active_pair, make_person
from tests.test_learner_home import world  # noqa: F401  (the fixture)


def agreed(tenant, pair):
    for employee_id in (pair.mentor_employee_id, pair.mentee_employee_id):
        agreements.accept(tenant, pair.id, employee_id, 1)


def test_both_partners_edit_the_same_goals_and_agenda(world):  # noqa: F811
    tenant, pair, _ = world
    agreed(tenant, pair)
    pair_plans.save(tenant, pair.id, pair.mentor_employee_id, "  Learn how the board reads AI risk ", "1. Intro")
    pair_plans.save(tenant, pair.id, pair.mentee_employee_id, "Learn how the board reads AI risk", "1. Intro\n2. Demo")
    for who in (pair.mentor_employee_id, pair.mentee_employee_id):
        seen = pair_plans.plan(tenant, pair.id, who)
        assert (seen.goals, seen.agenda) == ("Learn how the board reads AI risk", "1. Intro\n2. Demo")
    row = tenant.all(PairPlan)
    assert len(row) == 1 and row[0].updated_by_role == "mentee"


def test_pre_reads_are_shared_between_the_two_partners(world):  # noqa: F811
    tenant, pair, _ = world
    agreed(tenant, pair)
    read = pair_plans.add_pre_read(
        tenant, pair.id, pair.mentor_employee_id, "Prompting basics", " https://example.org/a?b=1 "
    )
    seen = pair_plans.plan(tenant, pair.id, pair.mentee_employee_id).pre_reads
    assert [(r.title, r.url, r.added_by_role) for r in seen] == [
        ("Prompting basics", "https://example.org/a?b=1", "mentor")
    ]
    pair_plans.remove_pre_read(tenant, pair.id, pair.mentee_employee_id, read.id)
    assert pair_plans.plan(tenant, pair.id, pair.mentor_employee_id).pre_reads == []


def test_anyone_but_the_two_partners_gets_not_found(world, make_org):  # noqa: F811
    tenant, pair, finished = world
    agreed(tenant, pair)
    pair_plans.save(tenant, pair.id, pair.mentor_employee_id, "secret goal", "")
    outsider = make_person(tenant, 9)
    tenant.session.flush()
    for who in (outsider.id, finished.mentor_employee_id, 0, 10**6):
        with pytest.raises(NotFound):
            pair_plans.plan(tenant, pair.id, who)
        with pytest.raises(NotFound):
            pair_plans.save(tenant, pair.id, who, "mine now", "")
        with pytest.raises(NotFound):
            pair_plans.add_pre_read(tenant, pair.id, who, "x", "https://example.org")
    other_org = make_org()  # the same ids from another organisation see nothing
    with pytest.raises(NotFound):
        pair_plans.plan(other_org, pair.id, pair.mentor_employee_id)
    assert pair_plans.plan(tenant, pair.id, pair.mentee_employee_id).goals == "secret goal"


def test_another_pairs_pre_read_cannot_be_removed_through_this_pair(world):  # noqa: F811
    tenant, pair, _ = world
    agreed(tenant, pair)
    executive = tenant.get(Employee, pair.mentee_employee_id)
    second = make_active_pair(tenant, mentor=make_person(tenant, 8), mentee=executive, topics=["ai"], objectives="")
    tenant.session.flush()
    agreed(tenant, second)
    read = pair_plans.add_pre_read(tenant, pair.id, pair.mentor_employee_id, "Ours", "https://example.org")
    for who in (second.mentor_employee_id, second.mentee_employee_id):  # the executive is a partner of both
        with pytest.raises(NotFound):
            pair_plans.remove_pre_read(tenant, second.id, who, read.id)
    assert tenant.count(PreRead) == 1


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)//https://x",
        " javascript:alert(document.cookie)",
        "http://example.org",
        "data:text/html,<script>alert(1)</script>",
        "https://",
        "https:///path",
        "//example.org/a",
        "https://user:pw@example.org",
        "https://example.org/\x00",
        "https://exa mple.org",
        "https://example.org:99999/",
        "https://[::1",
        "",
        "https://example.org/" + "a" * 2000,
    ],
)
def test_only_plain_https_links_are_kept(world, url):  # noqa: F811
    tenant, pair, _ = world
    agreed(tenant, pair)
    with pytest.raises(ValidationError):
        pair_plans.add_pre_read(tenant, pair.id, pair.mentor_employee_id, "Read this", url)
    assert tenant.count(PreRead) == 0


@pytest.mark.parametrize(
    "goals,agenda,title",
    [
        ("g" * 2001, "", "ok"),
        ("", "a" * 4001, "ok"),
        ("bell\x07", "", "ok"),
        ("", "", "t" * 201),
        ("", "", "   "),
    ],
)
def test_too_long_empty_or_control_text_is_refused(world, goals, agenda, title):  # noqa: F811
    tenant, pair, _ = world
    agreed(tenant, pair)
    with pytest.raises(ValidationError):
        if goals or agenda:
            pair_plans.save(tenant, pair.id, pair.mentor_employee_id, goals, agenda)
        else:
            pair_plans.add_pre_read(tenant, pair.id, pair.mentor_employee_id, title, "https://example.org")
    assert tenant.count(PairPlan) == 0 and tenant.count(PreRead) == 0


def test_a_pair_keeps_a_bounded_number_of_pre_reads(world):  # noqa: F811
    tenant, pair, _ = world
    agreed(tenant, pair)
    for n in range(pair_plans.MAX_PRE_READS):
        pair_plans.add_pre_read(tenant, pair.id, pair.mentor_employee_id, f"r{n}", f"https://example.org/{n}")
    with pytest.raises(ValidationError):
        pair_plans.add_pre_read(tenant, pair.id, pair.mentor_employee_id, "one more", "https://example.org/x")
    assert tenant.count(PreRead) == pair_plans.MAX_PRE_READS


def test_nothing_is_edited_before_both_partners_accept_the_agreement(world):  # noqa: F811
    tenant, pair, _ = world
    agreements.accept(tenant, pair.id, pair.mentor_employee_id, 1)
    with pytest.raises(NotAgreed):
        pair_plans.save(tenant, pair.id, pair.mentor_employee_id, "too early", "")
    with pytest.raises(NotAgreed):
        pair_plans.add_pre_read(tenant, pair.id, pair.mentor_employee_id, "too early", "https://example.org")
    assert tenant.count(PairPlan) == 0 and tenant.count(PreRead) == 0


def test_a_completed_pair_is_read_only(world):  # noqa: F811
    tenant, pair, finished = world
    assert pair_plans.plan(tenant, finished.id, finished.mentee_employee_id).goals == ""
    with pytest.raises(ValidationError):
        pair_plans.save(tenant, finished.id, finished.mentee_employee_id, "late", "")


def test_the_audit_trail_says_what_changed_never_the_content(world):  # noqa: F811
    tenant, pair, _ = world
    agreed(tenant, pair)
    pair_plans.save(tenant, pair.id, pair.mentor_employee_id, "private goal text", "private agenda")
    pair_plans.add_pre_read(tenant, pair.id, pair.mentee_employee_id, "private title", "https://private.example")
    events = tenant.all(AuditEvent, AuditEvent.action.in_(["pair_plan.saved", "pre_read.added"]))
    assert sorted(e.action for e in events) == ["pair_plan.saved", "pre_read.added"]
    assert not any("private" in repr((e.detail, e.subject_id)) for e in events)
