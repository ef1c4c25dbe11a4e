"""Pair health: sessions held against the cadence, last activity, executive cancellations, pairs at risk.

Rules HR sees on the page, in plain words:
- expected sessions: one per cadence period completed since the pair started (up to the programme's end);
- at risk: no session for two cadence periods (counted from the start when none was ever held), or
  one-sided logging: at least two sessions, all logged by the same person and none confirmed by the other;
- watch: fewer than half the expected sessions, or the executive cancelled twice or more;
- a nudge is offered for pairs at risk, at most once per cadence period;
- the executive gets a gentle note when their cancellations of one pair reach each count of
  CANCELLATION_NOTES (once per count: a third cancellation after the second tells them nothing new).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .cadence import CadenceStatus, cadence_status

SIDES = ("mentor", "mentee")  # the mentee is the executive in reverse mentoring
STATUSES = ("healthy", "watch", "at_risk", "not_started")
EXECUTIVE = "mentee"
CANCELLATION_NOTES = (2, 4)  # the executive's cancellations of one pair at which they get a gentle note
REASONS = {
    "no_session": "No session for two cadence periods",
    "one_sided": "Only one person logs sessions and the other never confirms",
    "behind": "Fewer than half the expected sessions",
    "executive_cancels": "The executive cancelled two or more sessions",
}


@dataclass(frozen=True)
class SessionLog:
    """One session someone logged: when it was held, who logged it, whether the other confirmed."""

    held_on: date
    logged_by: str  # mentor | mentee
    confirmed: bool = False
    minutes: int = 0


@dataclass(frozen=True)
class Cancellation:
    """A session called off, and by whom."""

    on: date
    by: str  # mentor | mentee


@dataclass(frozen=True)
class PairActivity:
    """What is known about one pair's meetings, from the programme-life records."""

    pair_id: int
    started_on: date | None
    cadence_days: int
    sessions: tuple[SessionLog, ...] = ()
    cancellations: tuple[Cancellation, ...] = ()
    last_activity: date | None = None  # any other sign of life: a reflection, a message, a plan
    last_nudged_on: date | None = None
    ends_on: date | None = None  # the programme's last day for this pair; nothing is expected after it


@dataclass(frozen=True)
class PairHealth:
    """The verdict for one pair and the facts behind it: what HR, the learners' page and reminders read."""

    pair_id: int
    status: str
    expected_sessions: int
    held_sessions: int
    last_session: date | None
    last_activity: date | None
    executive_cancellations: int
    reasons: tuple[str, ...]
    can_nudge: bool
    confirmed: int = 0  # sessions the other partner confirmed: what the cadence counts
    minutes: int = 0  # of confirmed sessions
    mentor_cancellations: int = 0
    cadence: CadenceStatus | None = None  # None only when the pair has no start day

    @property
    def at_risk(self) -> bool:
        return self.status == "at_risk"

    def explain(self) -> list[str]:
        """The reasons as sentences for HR."""
        return [REASONS[r] for r in self.reasons]


def assess(activity: PairActivity, today: date) -> PairHealth:
    """Health of one pair on a day."""
    sessions = sorted(s.held_on for s in activity.sessions if s.held_on <= today)
    last_session = sessions[-1] if sessions else None
    executive = sum(1 for c in activity.cancellations if c.by == EXECUTIVE and c.on <= today)
    latest = max([d for d in (last_session, activity.last_activity) if d], default=None)
    counts = _counts(activity, today)
    if activity.started_on is None or activity.started_on > today:
        return PairHealth(
            activity.pair_id, "not_started", 0, len(sessions), last_session, latest, executive, (), False, **counts
        )
    cadence = max(1, activity.cadence_days)
    until = min(today, activity.ends_on) if activity.ends_on else today
    expected = max(0, (until - activity.started_on).days // cadence)
    reasons = _risks(activity, last_session, until, cadence) + _concerns(expected, len(sessions), executive)
    status = "at_risk" if set(reasons) & {"no_session", "one_sided"} else "watch" if reasons else "healthy"
    nudged = activity.last_nudged_on
    can_nudge = status == "at_risk" and (nudged is None or today - nudged >= timedelta(days=cadence))
    return PairHealth(
        activity.pair_id,
        status,
        expected,
        len(sessions),
        last_session,
        latest,
        executive,
        tuple(reasons),
        can_nudge,
        **counts,
    )


def _counts(activity: PairActivity, today: date) -> dict:
    """Confirmed sessions, their minutes, mentor cancellations and the cadence (confirmed sessions only)."""
    confirmed = [s for s in activity.sessions if s.confirmed]
    status = None
    if activity.started_on is not None:
        status = cadence_status(
            activity.started_on,
            today,
            activity.cadence_days,
            [s.held_on for s in confirmed],
            activity.ends_on or date.max,
        )
    return {
        "confirmed": len(confirmed),
        "minutes": sum(s.minutes for s in confirmed),
        "cadence": status,
        "mentor_cancellations": sum(1 for c in activity.cancellations if c.by == "mentor" and c.on <= today),
    }


def _risks(activity: PairActivity, last_session: date | None, today: date, cadence: int) -> list[str]:
    reasons = []
    since = last_session or activity.started_on
    if (today - since).days >= 2 * cadence:
        reasons.append("no_session")
    held = [s for s in activity.sessions if s.held_on <= today]
    if len(held) >= 2 and len({s.logged_by for s in held}) == 1 and not any(s.confirmed for s in held):
        reasons.append("one_sided")
    return reasons


def _concerns(expected: int, held: int, executive_cancellations: int) -> list[str]:
    reasons = []
    if expected >= 2 and held * 2 < expected:
        reasons.append("behind")
    if executive_cancellations >= 2:
        reasons.append("executive_cancels")
    return reasons


def cancellation_note_due(before: int, after: int, thresholds: tuple[int, ...] = CANCELLATION_NOTES) -> int | None:
    """The count of executive cancellations crossed going from `before` to `after` (the highest), if any."""
    crossed = [t for t in thresholds if before < t <= after]
    return max(crossed) if crossed else None


def summarise(healths: list[PairHealth]) -> dict[str, int]:
    """How many pairs are in each status, for the dashboard's headline."""
    counts = dict.fromkeys(STATUSES, 0)
    for health in healths:
        counts[health.status] += 1
    return counts
