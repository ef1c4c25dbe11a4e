"""What a matching run hands back: pairs with reasons, empty slots with reasons, and how sure it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from plugin.domain.matching.diagnosis import Unfilled
from plugin.domain.matching.profile import EmployeeId
from plugin.domain.matching.scoring import CriterionScore


@dataclass(frozen=True, slots=True)
class Pair:
    """One mentor on one executive's panel, with the score and every criterion's reason."""

    executive_id: EmployeeId
    mentor_id: EmployeeId
    score: float
    criteria: tuple[CriterionScore, ...]
    locked: bool = False


@dataclass(frozen=True, slots=True)
class DroppedLock:
    """A locked pair the run could not keep, and why (a rule code or a panel rule)."""

    executive_id: EmployeeId
    mentor_id: EmployeeId
    reason: str


@dataclass(frozen=True)
class MatchResult:
    """The panels of one run.

    `optimal` means proven optimal over the candidate graph (every executive's short list): the
    most slots filled, then the highest total score. `certified` means proven optimal over every
    feasible pair, by pricing (`solve(..., certify=True)`). `gap` is the relative distance between
    the answer and the best bound proven (0 for min-cost flow). `scope` is "programme", or
    "panel:<executive id>" after `rematch_panel`, where `optimal` and `gap` describe that panel.
    """

    pairs: tuple[Pair, ...]
    unfilled: tuple[Unfilled, ...]
    slots: int
    optimal: bool
    gap: float
    method: str
    certified: bool = False
    scope: str = "programme"
    dropped_locks: tuple[DroppedLock, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def filled(self) -> int:
        return len(self.pairs)

    @property
    def total_score(self) -> float:
        return sum(p.score for p in self.pairs)

    @property
    def objective(self) -> float:
        """What the solver maximised once the most slots were filled: the total score."""
        return self.total_score

    def panel(self, executive_id: EmployeeId) -> tuple[Pair, ...]:
        """The executive's mentors, best first."""
        return tuple(p for p in self.pairs if p.executive_id == executive_id)
