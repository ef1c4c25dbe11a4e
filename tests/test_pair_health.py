"""Pair health: sessions against cadence, pairs at risk, executive cancellations and when a nudge is offered."""

from datetime import date, timedelta

from plugin.domain.pair_health import (
    CANCELLATION_NOTES,
    Cancellation,
    PairActivity,
    SessionLog,
    assess,
    cancellation_note_due,
    summarise,
)

START = date(2026, 9, 1)


def activity(**overrides) -> PairActivity:
    values = dict(pair_id=1, started_on=START, cadence_days=14)
    values.update(overrides)
    return PairActivity(**values)


def every(days: int, count: int, *, logged_by=("mentor", "mentee"), confirmed=True) -> tuple[SessionLog, ...]:
    return tuple(
        SessionLog(START + timedelta(days=days * n), logged_by[n % len(logged_by)], confirmed) for n in range(count)
    )


def test_a_pair_meeting_on_cadence_is_healthy():
    health = assess(activity(sessions=every(14, 4)), START + timedelta(days=50))
    assert (health.status, health.expected_sessions, health.held_sessions) == ("healthy", 3, 4)
    assert health.last_session == START + timedelta(days=42)
    assert not health.can_nudge


def test_no_session_for_two_cadence_periods_puts_a_pair_at_risk():
    health = assess(activity(sessions=every(14, 2)), START + timedelta(days=14 + 28))
    assert health.at_risk and "no_session" in health.reasons
    assert health.can_nudge
    almost = assess(activity(sessions=every(14, 2)), START + timedelta(days=14 + 27))
    assert not almost.at_risk


def test_a_pair_that_never_met_is_at_risk_two_periods_after_starting():
    assert assess(activity(), START + timedelta(days=27)).status == "healthy"
    assert assess(activity(), START + timedelta(days=28)).status == "at_risk"


def test_one_sided_logging_without_confirmation_is_a_risk():
    one_sided = assess(
        activity(sessions=every(7, 4, logged_by=("mentor",), confirmed=False)), START + timedelta(days=25)
    )
    assert one_sided.at_risk and one_sided.reasons == ("one_sided",)
    assert "Only one person logs" in one_sided.explain()[0]
    confirmed = assess(
        activity(sessions=every(7, 4, logged_by=("mentor",), confirmed=True)), START + timedelta(days=25)
    )
    assert confirmed.status == "healthy"


def test_executive_cancellations_are_counted_and_watched():
    cancels = (
        Cancellation(START + timedelta(days=3), "mentee"),
        Cancellation(START + timedelta(days=10), "mentee"),
        Cancellation(START + timedelta(days=11), "mentor"),
    )
    health = assess(activity(sessions=every(14, 3), cancellations=cancels), START + timedelta(days=30))
    assert (health.status, health.executive_cancellations, health.reasons) == ("watch", 2, ("executive_cancels",))


def test_falling_behind_the_cadence_is_watched_before_it_is_a_risk():
    sessions = (SessionLog(START + timedelta(days=60), "mentor", True),)
    health = assess(activity(sessions=sessions), START + timedelta(days=70))
    assert (health.status, health.expected_sessions, health.reasons) == ("watch", 5, ("behind",))


def test_a_nudge_is_offered_once_per_cadence_period():
    today = START + timedelta(days=40)
    assert not assess(activity(last_nudged_on=today - timedelta(days=3)), today).can_nudge
    assert assess(activity(last_nudged_on=today - timedelta(days=14)), today).can_nudge


def test_last_activity_counts_other_signs_of_life_but_not_as_sessions():
    later = START + timedelta(days=35)
    health = assess(activity(last_activity=later), START + timedelta(days=36))
    assert health.last_activity == later and health.at_risk


def test_pairs_not_started_are_reported_apart():
    healths = [
        assess(activity(started_on=None), START),
        assess(activity(pair_id=2), START + timedelta(days=40)),
        assess(activity(pair_id=3, sessions=every(14, 3)), START + timedelta(days=30)),
    ]
    assert summarise(healths) == {"healthy": 1, "watch": 0, "at_risk": 1, "not_started": 1}


def test_nothing_is_expected_after_the_programme_ends():
    ended = activity(sessions=every(14, 6), ends_on=START + timedelta(days=84))
    health = assess(ended, START + timedelta(days=400))
    assert (health.expected_sessions, health.status) == (6, "healthy")


def test_the_executives_note_is_due_once_at_each_threshold_crossed():
    assert CANCELLATION_NOTES == (2, 4)
    steps = [cancellation_note_due(n - 1, n) for n in range(1, 8)]
    assert steps == [None, 2, None, 4, None, None, None]  # one note at two, one at four, none after
    assert cancellation_note_due(1, 5) == 4  # several at once (a late sync): the highest count crossed, once
    assert cancellation_note_due(3, 3) is None and cancellation_note_due(0, 1, thresholds=(1,)) == 1
