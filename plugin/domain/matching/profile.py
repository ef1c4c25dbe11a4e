"""What matching knows about a person, and the rules a programme sets for its panels."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from plugin.errors import ValidationError

EmployeeId = int | str

CRITERIA = (
    "language",
    "communication",
    "culture",
    "hours",
    "goals",
    "cross_function",
    "aspirations",
    "personality",
)
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "language": 1.0,
        "communication": 0.5,
        "culture": 1.0,
        "hours": 1.0,
        "goals": 2.0,
        "cross_function": 0.5,
        "aspirations": 1.0,
        "personality": 0.0,  # off until a programme gives it a weight: the questionnaire is optional
    }
)
FUNCTION_MIXES = ("none", "at_least_one_other", "exactly_one_own")
MAX_FIREWALL_DEPTH = 10
FLUENCY_LABELS = {1: "basic", 2: "elementary", 3: "working", 4: "fluent", 5: "native"}


@dataclass(frozen=True, slots=True)
class Participant:
    """One person in a programme, as matching sees them; executives and mentors alike.

    `languages` holds (language, fluency) pairs, fluency 1 (basic) to 5 (native).
    `cadence` is "sync" or "async", `tone` "formal" or "informal", `medium` "video" or "chat";
    None means no preference. Working hours are local clock hours, `work_end` may pass 24 for
    shifts that cross midnight. `ancestors` is the management chain, nearest manager first.
    `personality` holds Mini-IPIP trait means (1 to 5, in `personality.TRAITS` order), None when the
    person has not answered the optional questionnaire.
    """

    employee_id: EmployeeId
    country: str
    region: str
    timezone: str = "UTC"
    utc_offset: float = 0.0
    function: str = ""
    job_level: int | None = None
    languages: tuple[tuple[str, int], ...] = ()
    cadence: str | None = None
    tone: str | None = None
    medium: str | None = None
    expertise: tuple[str, ...] = ()
    learning_goals: tuple[str, ...] = ()
    aspirations: tuple[str, ...] = ()
    work_start: float = 9.0
    work_end: float = 17.0
    ancestors: tuple[EmployeeId, ...] = ()
    opted_out: bool = False
    name: str = ""
    personality: tuple[float, ...] | None = None

    @property
    def manager_id(self) -> EmployeeId | None:
        return self.ancestors[0] if self.ancestors else None

    @property
    def domain(self) -> frozenset[str]:
        """What this person can speak to: their expertise and their function."""
        return frozenset(self.expertise) | ({self.function.lower()} if self.function else set())

    @property
    def label(self) -> str:
        return self.name or str(self.employee_id)


@dataclass(frozen=True)
class ProgrammeRules:
    """A programme's panel rules, criterion weights and the admin's pins and bans.

    `exclusions`, `past_pairs` and `locked` hold (executive_id, mentor_id) pairs.
    `candidates_per_executive` bounds the sparse candidate graph the solver works on.
    `firewall_depth` is how far the reporting-line rule reaches below an executive: None keeps out
    their whole chain; N keeps out only the N levels below them and, at any depth, their own function
    (for top executives, whose chain is everyone).
    """

    k: int = 3
    distinct_countries: bool = True
    function_mix: str = "none"
    min_overlap_hours: float = 2.0
    ideal_overlap_hours: float = 4.0
    min_fluency: int = 3
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    exclusions: frozenset[tuple[EmployeeId, EmployeeId]] = frozenset()
    past_pairs: frozenset[tuple[EmployeeId, EmployeeId]] = frozenset()
    locked: frozenset[tuple[EmployeeId, EmployeeId]] = frozenset()
    candidates_per_executive: int = 50
    firewall_depth: int | None = None

    def __post_init__(self) -> None:
        errors = {}
        if not 1 <= self.k <= 3:
            errors["k"] = "mentors per executive must be 1, 2 or 3"
        if self.function_mix not in FUNCTION_MIXES:
            errors["function_mix"] = f"must be one of {', '.join(FUNCTION_MIXES)}"
        if not 1 <= self.min_fluency <= 5:
            errors["min_fluency"] = "fluency runs from 1 to 5"
        unknown = set(self.weights) - set(CRITERIA)
        if unknown or not all(0 <= w < math.inf for w in self.weights.values()) or not any(self.weights.values()):
            errors["weights"] = f"non-negative weights for {', '.join(CRITERIA)}, not all zero"
        if self.candidates_per_executive < self.k:
            errors["candidates_per_executive"] = "must be at least k"
        if self.firewall_depth is not None and not 1 <= self.firewall_depth <= MAX_FIREWALL_DEPTH:
            errors["firewall_depth"] = f"levels below the executive run from 1 to {MAX_FIREWALL_DEPTH}"
        if self.ideal_overlap_hours <= 0:
            errors["ideal_overlap_hours"] = "must be positive"
        if errors:
            raise ValidationError("invalid programme rules", errors=errors)

    @cached_property
    def shares(self) -> Mapping[str, float]:
        """Each criterion's share of the total score: the weights normalised to sum to 1."""
        total = sum(self.weights.get(c, 0.0) for c in CRITERIA)
        return MappingProxyType({c: self.weights.get(c, 0.0) / total for c in CRITERIA})
