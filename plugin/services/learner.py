"""What a learner's pages show: their pairs, their partner, the period's topics, and their own progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..domain import conversation, language
from ..domain.completion import other_role
from ..domain.pair_health import PairHealth
from ..models import (
    Credential,
    Employee,
    ExtensionProposal,
    Pair,
    Participant,
    Profile,
    Programme,
    Reminder,
    SessionLog,
    utcnow,
)
from . import (
    audit,
    completion,
    extensions,
    framing,
    match_review,
    pair_health,
    partners,
    preparation,
    reflections,
    sessions,
)
from .matching import strongest
from .tenant import Tenant

SHOWN = ("approved", "active", "completed")


@dataclass(frozen=True)
class Partner:
    """The profile facts about a partner that matter for working together."""

    name: str
    full_name: str
    job_title: str
    country: str
    timezone: str
    hours: str
    languages: list[str]
    expertise: list[str]
    goals: list[str]


@dataclass
class PairPage:
    """Everything the pair page shows to one of its partners."""

    pair: Pair
    programme: Programme
    role: str
    framing: framing.Wording
    partner: Partner
    topics: list[str]
    prompts: list[tuple[str, str]]
    health: PairHealth
    sessions: list[SessionLog]
    to_confirm: list[SessionLog]
    reflected: set[int]
    final_given: bool
    proposal: ExtensionProposal | None
    can_extend: bool
    missing: list[tuple[str, int | str]]
    credentials: list[Credential] = field(default_factory=list)
    reminded: bool = False
    preparation_due: list[preparation.Step] = field(default_factory=list)  # activities not yet reported done


def my_pairs(tenant: Tenant, employee_id: int) -> list[Pair]:
    """The running and completed pairs this person is part of."""
    return tenant.all(
        Pair,
        Pair.status.in_(SHOWN),
        (Pair.mentor_employee_id == employee_id) | (Pair.mentee_employee_id == employee_id),
    )


def summaries(tenant: Tenant, employee_id: int) -> list[tuple[Pair, str, str]]:
    """(pair, partner's first name, programme name) for each of this person's pairs."""
    out = []
    for pair in my_pairs(tenant, employee_id):
        other = pair.mentee_employee_id if pair.mentor_employee_id == employee_id else pair.mentor_employee_id
        person = tenant.get(Employee, other)
        out.append((pair, person.preferred_name or person.first_name, tenant.get(Programme, pair.programme_id).name))
    return out


def home(tenant: Tenant, employee_id: int, today: date | None = None) -> list[PairPage]:
    """Each of this person's pairs as its pair page sees it, running pairs first, for the home page."""
    pages = [pair_page(tenant, p.id, employee_id, today) for p in my_pairs(tenant, employee_id)]
    return sorted(pages, key=lambda page: (page.pair.status == "completed", page.pair.id))


def pair_of(tenant: Tenant, pair_id: int) -> Pair:
    return tenant.get(Pair, pair_id)


def left_behind(tenant: Tenant, employee_id: int) -> list[str]:
    """Full names of partners whose pair with this person ended without fault (they will be matched again)."""
    rows = tenant.all(
        Pair,
        Pair.status == "ended",
        Pair.end_reason == match_review.NO_FAULT,
        (Pair.mentor_employee_id == employee_id) | (Pair.mentee_employee_id == employee_id),
    )
    others = [p.mentee_employee_id if p.mentor_employee_id == employee_id else p.mentor_employee_id for p in rows]
    return [partner_facts(tenant, tenant.get(Employee, other)).full_name for other in others]


def has_own_profile(tenant: Tenant, employee_id: int) -> bool:
    """Whether the person has given their own profile (it is offered, never required)."""
    return bool(tenant.all(Profile, Profile.employee_id == employee_id, Profile.source == "self"))


def reasons(pair: Pair) -> list[str]:
    """The criterion codes that made this match, strongest contribution first; pages word them."""
    return [str(r.get("criterion") or "") for r in strongest(pair.explanation)]


def partner_facts(tenant: Tenant, person: Employee) -> Partner:
    profile = next(iter(tenant.all(Profile, Profile.employee_id == person.id)), None)
    hours = f"{profile.work_start_hour}:00-{profile.work_end_hour}:00" if profile else "9:00-17:00"
    languages = sorted((profile.languages or {}) if profile else (person.languages or []))
    full = " ".join(x for x in (person.preferred_name or person.first_name, person.last_name) if x)
    return Partner(
        name=person.preferred_name or person.first_name or person.display_name or "",
        full_name=full or person.display_name or "",
        job_title=person.job_title or "",
        country=person.country or "",
        timezone=(profile.timezone if profile else None) or person.timezone or "UTC",
        hours=hours,
        languages=languages,
        expertise=list((profile.expertise if profile else person.expertise) or []),
        goals=list((profile.learning_goals if profile else person.learning_goals) or []),
    )


def pair_page(tenant: Tenant, pair_id: int, employee_id: int, today: date | None = None) -> PairPage:
    """The pair as one partner sees it (Forbidden for anyone else)."""
    pair = tenant.get(Pair, pair_id)
    role = partners.partner_role(pair, employee_id)
    programme = tenant.get(Programme, pair.programme_id)
    me = tenant.get(Employee, employee_id)
    other = tenant.get(Employee, pair.mentee_employee_id if role == "mentor" else pair.mentor_employee_id)
    health = pair_health.pair_health(tenant, pair, today)
    topics = conversation.period_topics(programme.topics or [], health.cadence.period)
    rows = sessions.sessions_of(tenant, pair.id)
    own = reflections.own_reflections(tenant, employee_id, pair.id)
    rule = completion.domain_rule(completion.rule_for(tenant, programme.id))
    return PairPage(
        pair=pair,
        programme=programme,
        role=role,
        framing=framing.for_person(me, programme.framing),
        partner=partner_facts(tenant, other),
        topics=list(topics),
        prompts=list(conversation.prompts_for(topics, health.cadence.period)),
        health=health,
        sessions=rows,
        to_confirm=sessions.awaiting_confirmation(rows, role),
        reflected={r.session_log_id for r in own if r.session_log_id},
        final_given=any(r.kind == "final" for r in own),
        proposal=extensions.open_proposal(tenant, pair.id),
        can_extend=pair.extensions < programme.max_extensions,
        missing=[] if pair.status == "completed" else completion.progress_of(tenant, pair).missing_items(rule),
        credentials=tenant.all(Credential, Credential.pair_id == pair.id, Credential.employee_id == employee_id),
        reminded=bool(tenant.all(Reminder, Reminder.pair_id == pair.id, Reminder.period == health.cadence.period)),
        preparation_due=[]
        if pair.status == "completed"
        else preparation.pending(preparation.mine(tenant, pair.id, employee_id)[0]),
    )


def proposal_is_mine(page: PairPage) -> bool:
    return page.proposal is not None and page.proposal.proposed_by_role == page.role


def partner_role_word(page: PairPage) -> str:
    return getattr(page.framing, other_role(page.role))


def leave(tenant: Tenant, employee_id: int) -> int:
    """Opt out of every programme: no more matching, and running pairs end; returns the pairs ended."""
    for row in tenant.all(Participant, Participant.employee_id == employee_id, Participant.opted_in.is_(True)):
        row.opted_in, row.opted_out_at = False, utcnow()
    ended = tenant.all(
        Pair,
        Pair.status.in_(("proposed", "approved", "active")),
        (Pair.mentor_employee_id == employee_id) | (Pair.mentee_employee_id == employee_id),
    )
    for pair in ended:
        pair.status, pair.ended_at, pair.end_reason = "ended", utcnow(), "a partner opted out"
    audit.record(
        tenant, f"employee:{employee_id}", "participant.opted_out", "employee", employee_id, pairs_ended=len(ended)
    )
    return len(ended)


def remember_launch_locale(tenant: Tenant, employee_id: int, locale: str | None) -> bool:
    """Keep the language the LMS launched someone in, for the messages they get later; True when it changed.

    Only a language Flipside speaks is kept: anything else leaves the earlier choice in place."""
    chosen = language.supported(locale)
    if chosen is None:
        return False
    employee = tenant.get(Employee, employee_id)
    if employee.launch_locale == chosen:
        return False
    employee.launch_locale = chosen
    return True
