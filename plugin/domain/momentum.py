"""Leading indicators of a programme: what shows whether it works before retention can be measured.

Retention and promotion need twelve months; until then HR reads momentum: sessions held against the
cadence, how often the other partner confirms a logged session, and executive cancellations (the usual
way reverse mentoring fades), all from the pairs' health; and reflection answers month by month, which
`suppression` publishes only for groups large enough (never per person, never the text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .impact import HORIZONS, add_months
from .pair_health import PairHealth

REPEAT_CANCELLER = 2  # cancellations by one executive's side of a pair that make a pattern


@dataclass(frozen=True)
class Momentum:
    """The programme's pairs taken together."""

    pairs: int
    expected_sessions: int
    held_sessions: int  # confirmed sessions, as the cadence counts them
    logged_sessions: int  # confirmed or waiting for the other partner's confirmation
    executive_cancellations: int
    pairs_with_repeated_cancellations: int

    @property
    def cadence_rate(self) -> float | None:
        """Held sessions against those the cadence expected so far (can pass 1 when pairs meet more)."""
        return self.held_sessions / self.expected_sessions if self.expected_sessions else None

    @property
    def confirmation_rate(self) -> float | None:
        return self.held_sessions / self.logged_sessions if self.logged_sessions else None


def momentum(healths: list[PairHealth]) -> Momentum:
    return Momentum(
        pairs=len(healths),
        expected_sessions=sum(h.expected_sessions for h in healths),
        held_sessions=sum(h.confirmed for h in healths),
        logged_sessions=sum(h.held_sessions for h in healths),
        executive_cancellations=sum(h.executive_cancellations for h in healths),
        pairs_with_repeated_cancellations=sum(1 for h in healths if h.executive_cancellations >= REPEAT_CANCELLER),
    )


def measurable_from(index: date) -> dict[int, date]:
    """The first day each outcome horizon (12, 24 months) can be measured for a programme started on `index`."""
    return {months: add_months(index, months) for months in HORIZONS}
