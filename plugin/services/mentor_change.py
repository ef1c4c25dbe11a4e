"""Changing one proposed pair's mentor: find a mentor by name, preview the new scores, then replace or swap.

A mentor who is free replaces the current one, and so does a junior the programme's mentor rules admit who
has no place in it yet (they join as a mentor); a mentor on another proposed pair swaps with it. Free people
are offered first: in a full programme with panels from distinct countries, a swap passes both panels only
between mentors of compatible countries, so swaps alone often leave nothing to offer. When nothing is left,
the options say which rule stopped each mentor. A locked pair is the admin's decision: it is never changed,
on either side, and the refusal says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from flask_babel import get_locale, gettext, lazy_gettext

from ..domain.matching import Pair as MatchPair
from ..domain.matching import Participant as Person
from ..domain.matching import by_contribution, points, score_pair, violated_rule
from ..domain.matching.mentor_table import ranked_mentors
from ..domain.matching.rules import mix_holds, same_function
from ..errors import Conflict
from ..models import HELD_PAIR, Pair, Participant, Programme
from . import audit
from .matching import explanation, participants_for, programme_people, programme_rules
from .programmes import eligible_outsiders
from .tenant import Tenant

SHOWN = 10

# What stopped a mentor, for the page that has nothing to offer: one line per cause, with how many it stopped
BLOCKS = {
    "distinct_countries": lazy_gettext("A country would appear twice on a panel (mentors from distinct countries)"),
    "function_mix": lazy_gettext("A panel would break the function mix"),
    "locked": lazy_gettext("On a locked pair"),
    "approved": lazy_gettext("On an approved pair"),
    "same_panel": lazy_gettext("Already on this executive's panel"),
    "opted_out": lazy_gettext("Opted out"),
    "excluded": lazy_gettext("Excluded by an admin"),
    "past_pair": lazy_gettext("Paired with this executive before"),
    "reporting_line": lazy_gettext("In the executive's management chain"),
    "peer_of_direct_report": lazy_gettext("Reports to the same manager"),
    "no_common_language": lazy_gettext("No shared working language"),
    "hours_overlap": lazy_gettext("Too few shared working hours"),
}
# Why a rule keeps a mentor off a panel, in the reader's language (the domain's RULE_TEXT, worded for pages)
RULE_WORDS = {
    "opted_out": lazy_gettext("one of them has opted out"),
    "excluded": lazy_gettext("an admin excluded the pair"),
    "past_pair": lazy_gettext("they were paired before"),
    "reporting_line": lazy_gettext("one is in the other's management chain"),
    "peer_of_direct_report": lazy_gettext("they report to the same manager"),
    "no_common_language": lazy_gettext("they share no working language"),
    "hours_overlap": lazy_gettext("too few shared working hours"),
}
MIX_WORDS = {
    "none": lazy_gettext("any functions"),
    "at_least_one_other": lazy_gettext("at least one other"),
    "exactly_one_own": lazy_gettext("exactly one own"),
}


def country_name(code: str) -> str:
    """The country's CLDR name in the reader's language; the code when it has none."""
    locale = get_locale()
    return locale.territories.get(code.upper(), code) if locale and code else code


@dataclass(frozen=True)
class Change:
    """What giving `pair` the mentor `mentor_id` would do: the new scores, or why it is refused."""

    pair: Pair
    mentor_id: int
    mentor: str
    executive: str
    old_points: int
    current: str = ""  # the pair's mentor now
    points: int | None = None
    reasons: list[str] = field(default_factory=list)
    other: Pair | None = None  # a swap: the pair the mentor leaves, which gets this pair's mentor
    other_executive: str = ""
    other_old_points: int | None = None
    other_points: int | None = None
    refused: str = ""
    blocked_by: str = ""  # the BLOCKS key of the refusal, when it is a rule's
    newcomer: bool = False  # not in the programme yet: joins it as a mentor

    @property
    def kind(self) -> str:
        return "swap" if self.other is not None else "replace"


@dataclass(frozen=True)
class Options:
    """The changes offered for a pair (free people first, then swaps), and when there are none, why:
    (cause, how many mentors it stopped), most first."""

    changes: list[Change]
    blocked: list[tuple[str, int]] = field(default_factory=list)

    def __iter__(self):
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)


class _Review:
    """The programme's people, rules and live pairs, loaded once for a search or a preview."""

    def __init__(self, tenant: Tenant, pair: Pair):
        programme = tenant.get(Programme, pair.programme_id)
        self.tenant, self.programme = tenant, programme
        executives, mentors = programme_people(tenant, programme)
        self.people = {p.employee_id: p for p in executives + mentors}
        self.mentors = mentors
        self.mentor_ids = {m.employee_id for m in mentors}
        self.newcomer_ids: set[int] = set()
        self.rules = programme_rules(tenant, programme)
        live = tenant.all(Pair, Pair.programme_id == programme.id, Pair.status.in_(HELD_PAIR))
        self.held_by = {p.mentor_employee_id: p for p in live}
        self.panels: dict[int, list[int]] = {}
        for p in live:
            self.panels.setdefault(p.mentee_employee_id, []).append(p.mentor_employee_id)

    def bring_in(self, wanted: int | None = None) -> list[Person]:
        """Juniors the mentor rules admit who have no place in the programme (only `wanted`, when given),
        added to the people this review may choose from."""
        found = eligible_outsiders(self.tenant, self.programme, only=wanted)
        if not found:
            return []
        people = participants_for(self.tenant, found)
        for p in people:
            self.people[p.employee_id] = p
            self.mentor_ids.add(p.employee_id)
            self.newcomer_ids.add(p.employee_id)
        return people

    def name(self, employee_id: int) -> str:
        person = self.people.get(employee_id)
        return person.label if person else str(employee_id)

    def mentor_people(self) -> list[Person]:
        """The programme's mentors and the juniors brought in, in that order."""
        return [*self.mentors, *(self.people[i] for i in sorted(self.newcomer_ids))]

    def panel(self, executive_id: int, without: int) -> list[Person]:
        return [self.people[m] for m in self.panels.get(executive_id, ()) if m != without and m in self.people]

    def why_not(self, executive: Person, mentor: Person, leaving: int) -> tuple[str, str]:
        """(the BLOCKS key, the sentence) of the rule that keeps `mentor` off `executive`'s panel once
        `leaving` has left it; ("", "") when none does."""
        broken = violated_rule(executive, mentor, self.rules)
        if broken:
            return broken, gettext(
                "%(mentor)s cannot mentor %(executive)s: %(why)s",
                mentor=mentor.label,
                executive=executive.label,
                why=RULE_WORDS[broken],
            )
        panel = self.panel(executive.employee_id, leaving)
        if self.rules.distinct_countries and any(m.country == mentor.country for m in panel):
            return "distinct_countries", gettext(
                "%(executive)s's panel already has a mentor from %(country)s",
                executive=executive.label,
                country=country_name(mentor.country),
            )
        own = sum(same_function(executive, m) for m in (*panel, mentor))
        if not mix_holds(self.rules.function_mix, self.rules.k, own, len(panel) + 1 - own):
            mix = MIX_WORDS.get(self.rules.function_mix) or self.rules.function_mix
            return "function_mix", gettext(
                "%(executive)s's panel would break the function mix (%(mix)s)", executive=executive.label, mix=mix
            )
        return "", ""

    def change(self, pair: Pair, mentor_id: int) -> Change:
        executive = self.people.get(pair.mentee_employee_id)
        base = Change(
            pair,
            mentor_id,
            self.name(mentor_id),
            self.name(pair.mentee_employee_id),
            points(pair.score),
            self.name(pair.mentor_employee_id),
        )
        other = self.held_by.get(mentor_id)
        code, refused = self._refusal(pair, mentor_id, executive, other)
        if refused:
            return _with(base, refused=refused, blocked_by=code, other=other)
        mentor, current = self.people[mentor_id], self.people[pair.mentor_employee_id]
        code, refused = self.why_not(executive, mentor, pair.mentor_employee_id)
        if other is None:
            if refused:
                return _with(base, refused=refused, blocked_by=code)
            return _with(self._scored(base, executive, mentor), newcomer=mentor_id in self.newcomer_ids)
        other_exec = self.people.get(other.mentee_employee_id)
        if not refused:
            code, refused = (
                self.why_not(other_exec, current, mentor_id) if other_exec else ("", gettext("not in the programme"))
            )
        base = _with(
            base, other=other, other_executive=self.name(other.mentee_employee_id), other_old_points=points(other.score)
        )
        if refused:
            return _with(base, refused=refused, blocked_by=code)
        return _with(
            self._scored(base, executive, mentor),
            other_points=points(score_pair(other_exec, current, self.rules).total),
        )

    def _refusal(self, pair: Pair, mentor_id: int, executive: Person | None, other: Pair | None) -> tuple[str, str]:
        if pair.status != "proposed":
            # a pair's status values are msgids themselves (marked with the other status words in web/labels.py)
            status = gettext(pair.status)
            return "", gettext("Only a proposed pair can change mentor; this one is %(status)s", status=status)
        if pair.locked:
            return "", gettext("This pair is locked: unlock it first to change its mentor")
        if mentor_id not in self.mentor_ids:
            return "", gettext("%(mentor)s is not a mentor in this programme", mentor=self.name(mentor_id))
        if executive is None or pair.mentor_employee_id not in self.people:
            return "", gettext("The executive and the current mentor must both still take part in the programme")
        if other is None:
            return "", ""
        if other.id == pair.id:
            return "same_panel", gettext(
                "%(mentor)s already mentors %(executive)s in this pair",
                mentor=self.name(mentor_id),
                executive=executive.label,
            )
        if other.mentee_employee_id == pair.mentee_employee_id:
            return "same_panel", gettext(
                "%(mentor)s is already on %(executive)s's panel", mentor=self.name(mentor_id), executive=executive.label
            )
        if other.status != "proposed":
            return "approved", gettext(
                "%(mentor)s mentors an approved pair, which only ends by being ended", mentor=self.name(mentor_id)
            )
        if other.locked:
            return "locked", gettext(
                "%(mentor)s is in a locked pair with %(executive)s: unlock that pair first",
                mentor=self.name(mentor_id),
                executive=self.name(other.mentee_employee_id),
            )
        return "", ""

    def _scored(self, base: Change, executive: Person, mentor: Person) -> Change:
        scored = score_pair(executive, mentor, self.rules)
        reasons = [c.reason for c in by_contribution(scored.criteria)][:3]
        return _with(base, points=points(scored.total), reasons=reasons)


def _with(change: Change, **values) -> Change:
    return replace(change, **values)


def _pair(tenant: Tenant, pair_id: int) -> Pair:
    return tenant.get(Pair, pair_id)


def candidates(tenant: Tenant, pair_id: int, search: str) -> Options:
    """Mentors whose name holds every word of `search`, each with what choosing them would do; with no
    search, who may take the place: free mentors and juniors not yet in the programme, best score first,
    then the swaps that keep both panels within the rules. When none may, the rules that stopped them."""
    pair = _pair(tenant, pair_id)
    review = _Review(tenant, pair)
    review.bring_in()
    words = search.lower().split()
    if words:
        found = [m for m in review.mentor_people() if all(w in m.label.lower() for w in words)]
        found.sort(key=lambda m: m.label.lower())
        return Options([review.change(pair, m.employee_id) for m in found[:SHOWN]])
    executive = review.people.get(pair.mentee_employee_id)
    if executive is None:
        return Options([])
    free: list[Change] = []
    swaps: list[Change] = []
    causes: Counter[str] = Counter()
    pool = [m for m in review.mentor_people() if m.employee_id != pair.mentor_employee_id]
    ranked = ranked_mentors(executive, pool, review.rules)
    for mentor in ranked:
        change = review.change(pair, mentor.employee_id)
        if change.refused:
            causes[change.blocked_by or "other"] += 1
            continue
        (swaps if change.other is not None else free).append(change)
        if len(free) >= SHOWN and len(swaps) >= SHOWN:
            break
    offered = free[:SHOWN] + swaps[:SHOWN]
    if offered or pair.status != "proposed" or pair.locked:
        return Options(offered)
    allowed = {m.employee_id for m in ranked}
    for mentor in pool:
        if mentor.employee_id not in allowed:
            causes[violated_rule(executive, mentor, review.rules) or "other"] += 1
    return Options([], sorted(((c, n) for c, n in causes.items() if c in BLOCKS), key=lambda x: (-x[1], x[0])))


def blocked_text(blocked: list[tuple[str, int]]) -> list[str]:
    """Each cause as a line the admin reads, with the number of mentors it stopped."""
    return [gettext("%(cause)s: %(num)s", cause=BLOCKS[code], num=count) for code, count in blocked]


def preview(tenant: Tenant, pair_id: int, mentor_id: int) -> Change:
    """What giving the pair this mentor would do, without doing it."""
    pair = _pair(tenant, pair_id)
    review = _Review(tenant, pair)
    if mentor_id not in review.mentor_ids:
        review.bring_in(mentor_id)
    return review.change(pair, mentor_id)


def change_mentor(tenant: Tenant, pair_id: int, mentor_id: int, actor: str = "admin") -> list[Pair]:
    """Give the pair this mentor (a swap when the mentor is on another proposed pair); the changed pairs are
    locked, as the admin decided them. Refused, changing nothing, on a lock or a broken rule."""
    pair = _pair(tenant, pair_id)
    review = _Review(tenant, pair)
    if mentor_id not in review.mentor_ids:
        review.bring_in(mentor_id)
    change = review.change(pair, mentor_id)
    if change.refused:
        raise Conflict(change.refused, errors={"mentor_id": change.refused})
    if change.newcomer:
        tenant.add(Participant(programme_id=pair.programme_id, employee_id=mentor_id, role="mentor", opted_in=True))
        audit.record(tenant, actor, "participant.added", "programme", pair.programme_id, employee=mentor_id)
    current = pair.mentor_employee_id
    changed = [_assign(review, pair, mentor_id)]
    if change.other is not None:
        changed.append(_assign(review, change.other, current))
    tenant.session.flush()
    if change.other is not None:
        audit.record(tenant, actor, "pair.swapped", "pair", pair.id, other=change.other.id)
    else:
        audit.record(tenant, actor, "pair.mentor_replaced", "pair", pair.id, previous=current, mentor=mentor_id)
    return changed


def _assign(review: _Review, row: Pair, mentor_id: int) -> Pair:
    executive, mentor = review.people[row.mentee_employee_id], review.people[mentor_id]
    scored = score_pair(executive, mentor, review.rules)
    row.mentor_employee_id, row.score, row.locked = mentor_id, round(scored.total, 4), True
    row.explanation = explanation(MatchPair(executive.employee_id, mentor_id, scored.total, scored.criteria))
    return row
