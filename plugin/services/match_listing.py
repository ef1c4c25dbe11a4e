"""The match review list: one page of a programme's live pairs, searched and filtered in the database,
and the panels a stored proposal leaves short, with why and what would fill them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from ..domain.matching import diagnose_proposal, points, remedy
from ..errors import ValidationError
from ..models import HELD_PAIR, Employee, Pair, Participant, Programme
from ..models.stamps import PEOPLE, PROGRAMME
from . import stamped
from .matching import programme_people, programme_rules, strongest
from .members import full_name
from .tenant import Tenant

STATES = ("proposed", "approved")
BANDS = {"high": (70, None), "mid": (50, 70), "low": (None, 50)}  # points out of 100: [low, high)
LOCKED = {"yes": True, "no": False}
PER_PAGE = 50
MAX_SEARCH = 100


@dataclass(frozen=True)
class ReviewQuery:
    """What the admin asked to see: a name to search, filters, and the page."""

    search: str = ""
    state: str = ""
    band: str = ""
    locked: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ReviewQuery:
        """The query string, checked: an unknown filter value is refused, not ignored."""
        search = (args.get("q") or "").strip()
        errors = {}
        if len(search) > MAX_SEARCH or "\x00" in search:
            errors["q"] = f"Search for a name of up to {MAX_SEARCH} characters"
        for key, allowed in (("state", STATES), ("band", BANDS), ("locked", LOCKED)):
            if args.get(key) and args[key] not in allowed:
                errors[key] = f"one of {', '.join(allowed)}"
        try:
            page = int(args.get("page") or 1)
        except ValueError:
            page = 0
        if not 1 <= page <= 100_000:
            errors["page"] = "a page number from 1"
        if errors:
            raise ValidationError("These filters cannot be read", errors=errors)
        return cls(search, args.get("state") or "", args.get("band") or "", args.get("locked") or "", page)

    def link(self, **changes) -> str:
        """This query as URL parameters, with `changes` applied (empty values left out)."""
        values = {
            "q": self.search,
            "state": self.state,
            "band": self.band,
            "locked": self.locked,
            "page": self.page,
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == 1)})


@dataclass(frozen=True)
class Row:
    """One pair as the review page shows it."""

    pair: Pair
    executive: str
    mentor: str
    points: int
    reasons: list[dict]


@dataclass(frozen=True)
class ReviewList:
    rows: list[Row]
    matching: int  # pairs the query matches, over every page
    counts: dict[str, int]  # over the whole programme: proposed, approved, locked
    page: int
    pages: int


def _name_matches(person, words: list[str]):
    name = func.lower(
        func.coalesce(person.display_name, "")
        + " "
        + func.coalesce(person.preferred_name, "")
        + " "
        + person.first_name
        + " "
        + person.last_name
    )
    return [name.contains(word, autoescape=True) for word in words]


def review_list(tenant: Tenant, programme_id: int, query: ReviewQuery = ReviewQuery()) -> ReviewList:
    """One page of the programme's live pairs that match the query, executive by executive."""
    programme = tenant.get(Programme, programme_id)
    executive, mentor = aliased(Employee), aliased(Employee)
    where = [Pair.programme_id == programme.id, Pair.status.in_(HELD_PAIR)]
    if query.state:
        where.append(Pair.status == query.state if query.state == "proposed" else Pair.status != "proposed")
    if query.locked:
        where.append(Pair.locked.is_(LOCKED[query.locked]))
    if query.band:
        low, high = BANDS[query.band]
        where += [Pair.score >= (low - 0.5) / 100] if low is not None else []
        where += [Pair.score < (high - 0.5) / 100] if high is not None else []
    words = query.search.lower().split()
    if words:  # every word in the executive's name, or every word in the mentor's
        where.append(or_(and_(*_name_matches(executive, words)), and_(*_name_matches(mentor, words))))
    base = (
        select(Pair, executive, mentor)
        .join(executive, executive.id == Pair.mentee_employee_id)
        .join(mentor, mentor.id == Pair.mentor_employee_id)
        .where(*where)
    )
    matching = int(tenant.session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    pages = max(1, -(-matching // PER_PAGE))
    page = min(query.page, pages)
    found = tenant.session.execute(
        base.order_by(executive.last_name, executive.first_name, executive.id, Pair.score.desc(), Pair.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    rows = [
        Row(pair, full_name(e), full_name(m), points(pair.score), strongest(pair.explanation, 3))
        for pair, e, m in found
    ]
    return ReviewList(rows, matching, _counts(tenant, programme.id), page, pages)


def _counts(tenant: Tenant, programme_id: int) -> dict[str, int]:
    rows = tenant.session.execute(
        select(Pair.status, Pair.locked, func.count())
        .where(Pair.programme_id == programme_id, Pair.status.in_(HELD_PAIR))
        .group_by(Pair.status, Pair.locked)
    )
    counts = {"proposed": 0, "approved": 0, "locked": 0}
    for status, locked, n in rows:
        counts["proposed" if status == "proposed" else "approved"] += n
        counts["locked"] += n if locked else 0
    return counts


@dataclass(frozen=True)
class EmptySlots:
    """One executive's empty places, why, and what would fill them."""

    executive_id: int
    name: str
    missing: int
    reason: str
    detail: str
    remedy: str


def empty_slots(tenant: Tenant, programme_id: int, today: date | None = None) -> list[EmptySlots]:
    """Every executive whose panel in the stored proposal is short, with the reasons (none before a run).

    Diagnosing rebuilds every participant (0.6 s at 6,667 people), so the answer is kept until a pair,
    participant, profile, exclusion or employee changes (matching ran, a pair was excluded), or the day."""
    programme = tenant.get(Programme, programme_id)
    key = ("empty-slots", programme.id, today or date.today())
    return list(stamped.view(tenant, (PROGRAMME, PEOPLE), key, lambda: tuple(_diagnosed(tenant, programme))))


def _diagnosed(tenant: Tenant, programme: Programme) -> list[EmptySlots]:
    held = list(
        tenant.session.execute(
            select(Pair.mentee_employee_id, Pair.mentor_employee_id).where(
                Pair.programme_id == programme.id, Pair.status.in_(HELD_PAIR)
            )
        )
    )
    if not held or not _any_short(tenant, programme, held):
        return []
    executives, mentors = programme_people(tenant, programme)
    names = {p.employee_id: p.label for p in executives}
    found = diagnose_proposal(executives, mentors, programme_rules(tenant, programme), held)
    return [
        EmptySlots(
            u.executive_id,
            names.get(u.executive_id, str(u.executive_id)),
            u.missing,
            u.reason,
            u.detail,
            remedy(u.reason),
        )
        for u in found
    ]


def _any_short(tenant: Tenant, programme: Programme, held: list) -> bool:
    """Whether any executive taking part has fewer pairs than the programme asks for (cheap: ids only)."""
    executives = tenant.session.scalars(
        select(Participant.employee_id)
        .join(Employee, Employee.id == Participant.employee_id)
        .where(
            Participant.programme_id == programme.id,
            Participant.role == "mentee",
            Participant.opted_in.is_(True),
            Employee.active.is_(True),
        )
    )
    panels = Counter(executive for executive, _ in held)
    return any(panels[e] < programme.mentors_per_executive for e in executives)
