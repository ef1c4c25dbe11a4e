"""Matching for a programme: build participants from storage, solve, and keep the proposal as pairs."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select

from ..domain.matching import DEFAULT_WEIGHTS, MatchResult, Participant, ProgrammeRules, by_contribution, solve
from ..domain.personality import trait_scores
from ..errors import ValidationError
from ..models import HELD_PAIR, Employee, Exclusion, Pair, Profile, Programme
from ..models import Participant as ProgrammeMember
from . import audit
from .profiles import profile_for
from .tenant import Tenant

CADENCE = {"synchronous": "sync", "asynchronous": "async"}


def utc_offset(timezone: str | None, when: datetime | None = None) -> float:
    """Hours from UTC of a time zone now (unknown zones count as UTC)."""
    moment = when or datetime.now(UTC)
    # every offset change in tzdata falls on a quarter hour: within one, a zone's offset is one number
    quarter = moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)
    return _offset(timezone or "UTC", quarter)


@functools.lru_cache(maxsize=4096)
def _offset(timezone: str, quarter: datetime) -> float:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    offset = quarter.astimezone(zone).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def management_chains(tenant: Tenant, employee_ids: list[int] | None = None) -> dict[int, tuple[int, ...]]:
    """The chain of managers of each employee named (everyone by default), nearest first (cycles in HRIS
    data are cut, not followed)."""
    rows = tenant.session.execute(select(Employee.id, Employee.manager_id).where(Employee.manager_id.is_not(None)))
    parent = {employee_id: manager_id for employee_id, manager_id in rows}
    chains: dict[int, tuple[int, ...]] = {}
    for start in parent if employee_ids is None else employee_ids:
        chain, seen, node = [], {start}, parent.get(start)
        while node is not None and node not in seen:
            chain.append(node)
            seen.add(node)
            node = parent.get(node)
        chains[start] = tuple(chain)
    return chains


def to_participant(employee: Employee, profile: Profile, chain: tuple[int, ...]) -> Participant:
    """Our stored employee and profile (ORM rows, or column rows with the same names), as the matching core
    sees a person."""
    return Participant(
        employee_id=employee.id,
        country=employee.country or "",
        region=employee.region or "",
        timezone=profile.timezone or employee.timezone or "UTC",
        utc_offset=utc_offset(profile.timezone or employee.timezone),
        function=employee.function or "",
        job_level=employee.job_level,
        languages=tuple(sorted((profile.languages or {}).items())),
        cadence=CADENCE.get(profile.sync_style),
        tone=None if profile.formality == "either" else profile.formality,
        medium=None if profile.medium == "either" else profile.medium,
        expertise=tuple(profile.expertise or ()),
        learning_goals=tuple(profile.learning_goals or ()),
        aspirations=tuple(profile.aspirations or ()),
        work_start=float(profile.work_start_hour),
        work_end=float(profile.work_end_hour),
        ancestors=chain,
        name=employee.display_name or f"{employee.preferred_name or employee.first_name} {employee.last_name}",
        personality=personality_of(profile),
    )


def personality_of(profile: Profile) -> tuple[float, ...] | None:
    """The Mini-IPIP trait means of a profile's answers; None when not given (or stored incomplete)."""
    if not profile.personality:
        return None
    try:
        return trait_scores(profile.personality)
    except ValidationError:
        return None


# What `to_participant` reads, loaded as plain rows: a programme of thousands then costs one query per table
# instead of thousands of ORM objects (the match review page reads it on every view).
PERSON_COLUMNS = (
    Employee.id,
    Employee.country,
    Employee.region,
    Employee.timezone,
    Employee.function,
    Employee.job_level,
    Employee.display_name,
    Employee.preferred_name,
    Employee.first_name,
    Employee.last_name,
)
PROFILE_COLUMNS = (
    Profile.employee_id,
    Profile.timezone,
    Profile.languages,
    Profile.sync_style,
    Profile.formality,
    Profile.medium,
    Profile.expertise,
    Profile.learning_goals,
    Profile.aspirations,
    Profile.work_start_hour,
    Profile.work_end_hour,
    Profile.personality,
)


def programme_people(tenant: Tenant, programme: Programme) -> tuple[list[Participant], list[Participant]]:
    """The programme's opted-in executives and mentors, ready for the solver."""
    rows = list(
        tenant.session.execute(  # the rows `programmes.participants` returns, as columns
            select(ProgrammeMember.role, *PERSON_COLUMNS)
            .join(Employee, Employee.id == ProgrammeMember.employee_id)
            .where(
                ProgrammeMember.programme_id == programme.id,
                ProgrammeMember.opted_in.is_(True),
                Employee.active.is_(True),
            )
        )
    )
    ids = [row.id for row in rows]
    chains = management_chains(tenant, ids)
    stored = (
        {p.employee_id: p for p in tenant.session.execute(select(*PROFILE_COLUMNS).where(Profile.employee_id.in_(ids)))}
        if ids
        else {}
    )
    missing = [i for i in ids if i not in stored]
    for employee in tenant.all(Employee, Employee.id.in_(missing)) if missing else ():
        stored[employee.id] = profile_for(tenant, employee)  # made from the HRIS fields, once
    people: dict[str, list[Participant]] = {"mentee": [], "mentor": []}
    for row in rows:
        people[row.role].append(to_participant(row, stored[row.id], chains.get(row.id, ())))
    tenant.session.flush()
    return people["mentee"], people["mentor"]


def programme_rules(tenant: Tenant, programme: Programme) -> ProgrammeRules:
    """The solver's rules: the programme's settings plus exclusions, earlier pairs and locked pairs."""

    def couples(model, *criteria) -> set[tuple[int, int]]:  # ids only: every earlier pair can be many rows
        found = tenant.session.execute(select(model.mentee_employee_id, model.mentor_employee_id).where(*criteria))
        return {(mentee, mentor) for mentee, mentor in found}

    exclusions = couples(Exclusion, Exclusion.programme_id == programme.id)
    past = couples(Pair, Pair.programme_id != programme.id)
    locked = couples(Pair, Pair.programme_id == programme.id, Pair.locked.is_(True), Pair.status.in_(HELD_PAIR))
    return ProgrammeRules(
        k=programme.mentors_per_executive,
        distinct_countries=programme.distinct_countries,
        function_mix=programme.function_mix,
        min_overlap_hours=programme.min_overlap_hours,
        weights={**DEFAULT_WEIGHTS, **(programme.weights or {})},
        exclusions=frozenset(exclusions),
        past_pairs=frozenset(past),
        locked=frozenset(locked),
        firewall_depth=programme.firewall_depth,
    )


def run_matching(
    tenant: Tenant, programme_id: int, *, dry_run: bool = False, actor: str = "admin", time_limit_s: float = 10.0
) -> tuple[MatchResult, dict[int, str]]:
    """Solve the programme; unless dry_run, replace the unlocked proposal with the new one."""
    programme = tenant.get(Programme, programme_id)
    executives, mentors = programme_people(tenant, programme)
    result = solve(executives, mentors, programme_rules(tenant, programme), time_limit_s=time_limit_s)
    names = {p.employee_id: p.label for p in executives + mentors}
    if not dry_run:
        store_proposal(tenant, programme, result)
        audit.record(
            tenant,
            actor,
            "matching.run",
            "programme",
            programme.id,
            filled=result.filled,
            slots=result.slots,
            optimal=result.optimal,
        )
    return result, names


def store_proposal(tenant: Tenant, programme: Programme, result: MatchResult) -> None:
    """Keep locked and approved pairs; replace every other proposed pair with the run's answer."""
    tenant.session.execute(
        delete(Pair).where(Pair.programme_id == programme.id, Pair.status == "proposed", Pair.locked.is_(False))
    )
    kept = {
        (p.mentee_employee_id, p.mentor_employee_id)
        for p in tenant.all(Pair, Pair.programme_id == programme.id, Pair.status.in_(HELD_PAIR))
    }
    for pair in result.pairs:
        if (pair.executive_id, pair.mentor_id) in kept:
            continue
        tenant.add(
            Pair(
                programme_id=programme.id,
                mentee_employee_id=pair.executive_id,
                mentor_employee_id=pair.mentor_id,
                score=round(pair.score, 4),
                explanation=explanation(pair),
                status="proposed",
                locked=False,
            )
        )
    if programme.status == "draft":
        programme.status = "matching"
    tenant.session.flush()


def explanation(pair) -> list[dict]:
    """The per-criterion reasons stored with a pair, for people to read: those that added most first, then
    the rest in criteria order; `points` is what each added to the score out of 100."""
    first = by_contribution(pair.criteria)
    ordered = first + [c for c in pair.criteria if c not in first]
    # personality counts in the score when a programme weighs it, but its fit is never stored as a reason:
    # every stored reason reaches HR (review, API, exports), and a pair's fit says something of two people
    ordered = [c for c in ordered if c.criterion != "personality"]
    return [
        {
            "criterion": c.criterion,
            "score": round(c.score, 3),
            "share": round(c.share, 3),
            "points": round(c.score * c.share * 100, 1),
            "text": c.reason,
        }
        for c in ordered
    ]


def strongest(reasons: list, n: int | None = None) -> list[dict]:
    """Stored reasons (as `explanation` wrote them, or older rows) that added to the score, largest first."""
    rows = [r for r in reasons or [] if isinstance(r, dict) and _contribution(r) > 0]
    return sorted(rows, key=lambda r: -_contribution(r))[:n]


def _contribution(reason: dict) -> float:
    try:
        return float(reason.get("score") or 0) * float(reason.get("share", 1) or 0)
    except (TypeError, ValueError):
        return 0.0


def participants_for(tenant: Tenant, employees: list, chains: dict | None = None) -> list[Participant]:
    """Employees who are not (yet) in a programme (ORM rows, or column rows with `PERSON_COLUMNS`), as
    matching sees them: one query for their profiles, a profile made from the HRIS fields for those without."""
    if not employees:
        return []
    ids = [e.id for e in employees]
    stored = {
        p.employee_id: p for p in tenant.session.execute(select(*PROFILE_COLUMNS).where(Profile.employee_id.in_(ids)))
    }
    missing = [i for i in ids if i not in stored]
    for employee in tenant.all(Employee, Employee.id.in_(missing)) if missing else ():
        stored[employee.id] = profile_for(tenant, employee)  # made from the HRIS fields, once
    chains = management_chains(tenant) if chains is None else chains
    people = [to_participant(e, stored[e.id], chains.get(e.id, ())) for e in employees]
    tenant.session.flush()
    return people


# what eligibility reads (plugin.services.programmes.person) besides what `to_participant` reads
ELIGIBILITY_COLUMNS = (Employee.hire_date, Employee.birth_year, Employee.department)
PREVIEW_SECONDS = 2.0
# what a programme row holds before it is stored (the columns' defaults apply only on insert)
DRAFT_DEFAULTS = {
    "mentors_per_executive": 1,
    "distinct_countries": False,
    "function_mix": "none",
    "min_overlap_hours": 1.0,
    "mentor_rules": dict,
    "mentee_rules": dict,
    "weights": dict,
}


def preview(tenant: Tenant, settings: dict, programme: Programme | None = None) -> dict:
    """What matching would give with these settings, changing nothing: on the programme's roster when it
    has one, else on the employees its eligibility rules admit today. Executives with a full panel, all
    executives, filled places of all places, and the mean score (0 to 100, the one scale)."""
    from .programmes import EDITABLE, eligible_role  # programmes reads this module's columns: imported here

    draft = Programme(**{k: getattr(programme, k) for k in EDITABLE} if programme is not None else {})
    for key, value in settings.items():
        if key in EDITABLE:
            setattr(draft, key, value)
    draft.id = programme.id if programme is not None else 0
    for key, default in DRAFT_DEFAULTS.items():
        if getattr(draft, key) is None:
            setattr(draft, key, default() if callable(default) else default)
    if programme is not None and tenant.count(ProgrammeMember, ProgrammeMember.programme_id == programme.id):
        executives, mentors = programme_people(tenant, programme)
    else:
        today = datetime.now(UTC).date()
        roles: dict[str | None, list] = {"mentee": [], "mentor": []}
        rows = tenant.session.execute(select(*PERSON_COLUMNS, *ELIGIBILITY_COLUMNS).where(Employee.active.is_(True)))
        for row in rows:  # plain rows: a workforce of thousands is read without making an object of each
            roles.setdefault(eligible_role(draft, row, today), []).append(row)
        chains = management_chains(tenant)
        executives = participants_for(tenant, roles["mentee"], chains)
        mentors = participants_for(tenant, roles["mentor"], chains)
    rules = programme_rules(tenant, draft)
    result = solve(executives, mentors, rules, time_limit_s=PREVIEW_SECONDS) if executives and mentors else None
    pairs = result.pairs if result else ()
    panels: dict = {}
    for pair in pairs:
        panels[pair.executive_id] = panels.get(pair.executive_id, 0) + 1
    return {
        "executives": len(executives),
        "mentors": len(mentors),
        "full_panels": sum(1 for n in panels.values() if n >= rules.k),
        "filled": len(pairs),
        "places": len(executives) * rules.k,
        "mean_score": round(100 * sum(p.score for p in pairs) / len(pairs)) if pairs else None,
    }
