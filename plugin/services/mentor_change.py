"""Changing one proposed pair's mentor: find a mentor by name, preview the new scores, then replace or swap.

A mentor who is free replaces the current one; a mentor on another proposed pair swaps with it. A locked
pair is the admin's decision: it is never changed, on either side, and the refusal says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..domain.matching import RULE_TEXT, by_contribution, points, score_pair, violated_rule
from ..domain.matching import Pair as MatchPair
from ..domain.matching import Participant as Person
from ..domain.matching.mentor_table import ranked_mentors
from ..domain.matching.rules import mix_holds, same_function
from ..errors import Conflict
from ..models import HELD_PAIR, Pair, Programme
from . import audit
from .matching import explanation, programme_people, programme_rules
from .tenant import Tenant

SHOWN = 10


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

    @property
    def kind(self) -> str:
        return "swap" if self.other is not None else "replace"


class _Review:
    """The programme's people, rules and live pairs, loaded once for a search or a preview."""

    def __init__(self, tenant: Tenant, pair: Pair):
        programme = tenant.get(Programme, pair.programme_id)
        executives, mentors = programme_people(tenant, programme)
        self.people = {p.employee_id: p for p in executives + mentors}
        self.mentors = mentors
        self.mentor_ids = {m.employee_id for m in mentors}
        self.rules = programme_rules(tenant, programme)
        live = tenant.all(Pair, Pair.programme_id == programme.id, Pair.status.in_(HELD_PAIR))
        self.held_by = {p.mentor_employee_id: p for p in live}
        self.panels: dict[int, list[int]] = {}
        for p in live:
            self.panels.setdefault(p.mentee_employee_id, []).append(p.mentor_employee_id)

    def name(self, employee_id: int) -> str:
        person = self.people.get(employee_id)
        return person.label if person else str(employee_id)

    def panel(self, executive_id: int, without: int) -> list[Person]:
        return [self.people[m] for m in self.panels.get(executive_id, ()) if m != without and m in self.people]

    def why_not(self, executive: Person, mentor: Person, leaving: int) -> str:
        broken = violated_rule(executive, mentor, self.rules)
        if broken:
            return f"{mentor.label} cannot mentor {executive.label}: {RULE_TEXT[broken]}"
        panel = self.panel(executive.employee_id, leaving)
        if self.rules.distinct_countries and any(m.country == mentor.country for m in panel):
            return f"{executive.label}'s panel already has a mentor from {mentor.country}"
        own = sum(same_function(executive, m) for m in (*panel, mentor))
        if not mix_holds(self.rules.function_mix, self.rules.k, own, len(panel) + 1 - own):
            mix = self.rules.function_mix.replace("_", " ")
            return f"{executive.label}'s panel would break the function mix ({mix})"
        return ""

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
        refused = self._refusal(pair, mentor_id, executive, other)
        if refused:
            return _with(base, refused=refused, other=other)
        mentor, current = self.people[mentor_id], self.people[pair.mentor_employee_id]
        refused = self.why_not(executive, mentor, pair.mentor_employee_id)
        if other is None:
            return _with(base, refused=refused) if refused else self._scored(base, executive, mentor)
        other_exec = self.people.get(other.mentee_employee_id)
        refused = refused or (self.why_not(other_exec, current, mentor_id) if other_exec else "not in the programme")
        base = _with(
            base, other=other, other_executive=self.name(other.mentee_employee_id), other_old_points=points(other.score)
        )
        if refused:
            return _with(base, refused=refused)
        return _with(
            self._scored(base, executive, mentor),
            other_points=points(score_pair(other_exec, current, self.rules).total),
        )

    def _refusal(self, pair: Pair, mentor_id: int, executive: Person | None, other: Pair | None) -> str:
        if pair.status != "proposed":
            return "Only a proposed pair can change mentor; this one is " + pair.status
        if pair.locked:
            return "This pair is locked: unlock it first to change its mentor"
        if mentor_id not in self.mentor_ids:
            return f"{self.name(mentor_id)} is not a mentor in this programme"
        if executive is None or pair.mentor_employee_id not in self.people:
            return "The executive and the current mentor must both still take part in the programme"
        if other is None:
            return ""
        if other.id == pair.id:
            return f"{self.name(mentor_id)} already mentors {executive.label} in this pair"
        if other.mentee_employee_id == pair.mentee_employee_id:
            return f"{self.name(mentor_id)} is already on {executive.label}'s panel"
        if other.status != "proposed":
            return f"{self.name(mentor_id)} mentors an approved pair, which only ends by being ended"
        if other.locked:
            return (
                f"{self.name(mentor_id)} is in a locked pair with {self.name(other.mentee_employee_id)}: "
                "unlock that pair first"
            )
        return ""

    def _scored(self, base: Change, executive: Person, mentor: Person) -> Change:
        scored = score_pair(executive, mentor, self.rules)
        reasons = [c.reason for c in by_contribution(scored.criteria)][:3]
        return _with(base, points=points(scored.total), reasons=reasons)


def _with(change: Change, **values) -> Change:
    return replace(change, **values)


def _pair(tenant: Tenant, pair_id: int) -> Pair:
    return tenant.get(Pair, pair_id)


def candidates(tenant: Tenant, pair_id: int, search: str) -> list[Change]:
    """Mentors whose name holds every word of `search` (or, with none, the best-scoring who may take the
    place), each with what choosing them would do."""
    pair = _pair(tenant, pair_id)
    review = _Review(tenant, pair)
    words = search.lower().split()
    if words:
        found = [m for m in review.mentors if all(w in m.label.lower() for w in words)]
        found.sort(key=lambda m: m.label.lower())
        return [review.change(pair, m.employee_id) for m in found[:SHOWN]]
    executive = review.people.get(pair.mentee_employee_id)
    if executive is None:
        return []
    allowed = []
    for mentor in ranked_mentors(executive, review.mentors, review.rules):
        change = review.change(pair, mentor.employee_id) if mentor.employee_id != pair.mentor_employee_id else None
        if change is not None and not change.refused:
            allowed.append(change)
        if len(allowed) == SHOWN:
            break
    return allowed


def preview(tenant: Tenant, pair_id: int, mentor_id: int) -> Change:
    """What giving the pair this mentor would do, without doing it."""
    pair = _pair(tenant, pair_id)
    return _Review(tenant, pair).change(pair, mentor_id)


def change_mentor(tenant: Tenant, pair_id: int, mentor_id: int, actor: str = "admin") -> list[Pair]:
    """Give the pair this mentor (a swap when the mentor is on another proposed pair); the changed pairs are
    locked, as the admin decided them. Refused, changing nothing, on a lock or a broken rule."""
    pair = _pair(tenant, pair_id)
    review = _Review(tenant, pair)
    change = review.change(pair, mentor_id)
    if change.refused:
        raise Conflict(change.refused, errors={"mentor_id": change.refused})
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
