"""Matching over stored employees: proposals with reasons, never inside a reporting line, admin review, departures."""

from datetime import date

import pytest
from click.testing import CliRunner

from plugin.cli import main
from plugin.demo.workforce import generate_workforce
from plugin.models import HELD_PAIR, Employee, Exclusion, Pair, Programme
from plugin.services import match_review, matching, programmes, roster
from plugin.services.matching import management_chains

TODAY = date(2026, 11, 1)


@pytest.fixture
def company(make_org, session):
    """An organisation with a stored synthetic workforce and a programme with its candidates enrolled."""
    tenant = make_org("acme")
    roster.upsert_employees(tenant, generate_workforce(1500, seed=11))
    roster.relink_managers(tenant)
    programme = programmes.create_programme(
        tenant,
        {
            "name": "Reverse mentoring 2027",
            "mentors_per_executive": 2,
            "distinct_countries": True,
            "min_overlap_hours": 1.0,
            "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": 7}]},
            "mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": 2}]},
        },
    )
    programmes.enrol_eligible(tenant, programme.id, today=TODAY)
    session.commit()
    return tenant, programme


def _live(tenant, programme):
    return tenant.all(Pair, Pair.programme_id == programme.id, Pair.status.in_(HELD_PAIR))


def test_proposal_is_stored_with_reasons_and_respects_every_panel_rule(company, session):
    tenant, programme = company
    result, _names = matching.run_matching(tenant, programme.id)
    session.commit()
    pairs = _live(tenant, programme)
    assert len(pairs) == result.filled > 0
    chains = management_chains(tenant)
    people = {e.id: e for e in tenant.all(Employee)}
    mentors = [p.mentor_employee_id for p in pairs]
    assert len(mentors) == len(set(mentors)), "a mentor never has two executives"
    for pair in pairs:
        assert pair.mentee_employee_id not in chains[pair.mentor_employee_id]
        assert pair.mentor_employee_id not in chains[pair.mentee_employee_id]
        assert {r["criterion"] for r in pair.explanation} >= {"language", "goals", "hours"}
        assert all(r["text"] for r in pair.explanation)
    for executive in {p.mentee_employee_id for p in pairs}:
        panel = [people[p.mentor_employee_id].country for p in pairs if p.mentee_employee_id == executive]
        assert len(panel) <= 2 and len(panel) == len(set(panel)), "k mentors from k countries"
    assert tenant.get(Programme, programme.id).status == "matching"


def test_dry_run_stores_nothing(company, session):
    tenant, programme = company
    result, _ = matching.run_matching(tenant, programme.id, dry_run=True)
    assert result.filled > 0 and _live(tenant, programme) == []


def test_locked_pairs_survive_a_rerun_and_exclusions_are_never_proposed_again(company, session):
    tenant, programme = company
    matching.run_matching(tenant, programme.id)
    pairs = _live(tenant, programme)
    locked, excluded = pairs[0], pairs[1]
    match_review.set_locked(tenant, locked.id, True)
    banned = (excluded.mentee_employee_id, excluded.mentor_employee_id)
    match_review.exclude(tenant, excluded.id, "asked not to")
    session.commit()
    matching.run_matching(tenant, programme.id)
    session.commit()
    after = _live(tenant, programme)
    assert any(p.id == locked.id and p.locked for p in after)
    assert banned not in {(p.mentee_employee_id, p.mentor_employee_id) for p in after}
    assert tenant.count(Exclusion) == 1


def test_swap_is_refused_inside_a_reporting_line_and_locks_both_when_allowed(company, session):
    tenant, programme = company
    matching.run_matching(tenant, programme.id)
    pairs = _live(tenant, programme)
    by_exec = {}
    for p in pairs:
        by_exec.setdefault(p.mentee_employee_id, p)
    first, second = list(by_exec.values())[:2]
    try:
        a, b = match_review.swap(tenant, first.id, second.id)
    except Exception as exc:  # noqa: BLE001 - a refusal must name the rule
        assert "cannot mentor" in str(exc)
        return
    assert a.locked and b.locked
    assert a.mentor_employee_id != b.mentor_employee_id


def test_approval_then_departure_refills_only_the_affected_panel(company, session):
    tenant, programme = company
    matching.run_matching(tenant, programme.id)
    approved = match_review.approve(tenant, programme.id)
    session.commit()
    before = {p.id: (p.mentee_employee_id, p.mentor_employee_id) for p in _live(tenant, programme)}
    leaver = _live(tenant, programme)[0]
    ended, added = match_review.on_departure(tenant, leaver.mentor_employee_id)
    session.commit()
    assert ended == [leaver.id] and set(approved) == set(before)
    after = {p.id: (p.mentee_employee_id, p.mentor_employee_id) for p in _live(tenant, programme)}
    untouched = {k: v for k, v in before.items() if k != leaver.id}
    assert all(after[k] == v for k, v in untouched.items()), "other pairs keep their ids and people"
    assert all(after[p][0] == leaver.mentee_employee_id for p in added)
    assert all(tenant.get(Pair, p).status == "approved" for p in added)


def test_match_command_prints_summary_and_reasons(company, session, settings):
    tenant, programme = company
    env = {
        "DATABASE_URL": settings.database_url,
        "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
        "REDIS_URL": settings.redis_url,
        "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
    }
    result = CliRunner().invoke(main, ["match", str(programme.id), "--dry-run", "--show", "2"], env=env)
    assert result.exit_code == 0, result.output
    assert "slots filled" in result.output and "dry run: nothing stored" in result.output
    assert "/100" in result.output


def test_match_command_names_an_unknown_programme(settings):
    env = {"DATABASE_URL": settings.database_url, "FLIPSIDE_INSTANCE_PATH": settings.instance_path}
    result = CliRunner().invoke(main, ["match", "Nope", "--org", "nowhere"], env=env)
    assert result.exit_code == 1 and "No organisation 'nowhere'" in result.output
