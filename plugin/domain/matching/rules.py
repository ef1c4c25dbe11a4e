"""Hard rules: a pair that breaks one is never proposed, whatever its score.

Each rule has a stable code. `violated_rule` checks them in `RULES` order and names the first one a
pair breaks, so a person can read why a pair is impossible and an admin screen can count reasons.

How the reporting-line rules read:

* ``reporting_line``: the executive is anywhere in the mentor's management chain (manager,
  skip-level, any ancestor), or the other way round, or both are the same person. This already
  covers a mentor whose manager (or any manager above them) reports to the executive. With a
  programme's `firewall_depth` N (for top executives, whose chain is the whole company), a mentor
  below the executive is kept out only within N levels, or at any depth in the executive's own
  function; a mentor above the executive is always kept out.
* ``peer_of_direct_report``: the mentor and the executive report to the same manager, i.e. the
  mentor is a same-manager peer of one of that manager's direct reports, the executive. Such
  pairs sit inside one team's chain of command, which the programme keeps out of mentoring.
"""

from __future__ import annotations

from plugin.domain.matching.profile import Participant, ProgrammeRules
from plugin.domain.matching.scoring import common_languages, shared_hours

RULES = (
    "opted_out",
    "excluded",
    "past_pair",
    "reporting_line",
    "peer_of_direct_report",
    "no_common_language",
    "hours_overlap",
)

RULE_TEXT = {
    "opted_out": "one of them has opted out",
    "excluded": "an admin excluded the pair",
    "past_pair": "they were paired before",
    "reporting_line": "one is in the other's management chain",
    "peer_of_direct_report": "they report to the same manager",
    "no_common_language": "they share no working language",
    "hours_overlap": "too few shared working hours",
}


def in_reporting_line(e: Participant, m: Participant, depth: int | None = None) -> bool:
    """True when either is the other's manager (below the executive: within `depth` levels or in the
    executive's function, when a depth is set), or they are the same person."""
    if e.employee_id == m.employee_id or m.employee_id in e.ancestors:
        return True
    if e.employee_id not in m.ancestors:
        return False
    return depth is None or m.ancestors.index(e.employee_id) < depth or same_function(e, m)


def same_function(e: Participant, m: Participant) -> bool:
    return bool(e.function) and e.function.lower() == m.function.lower()


def same_manager(e: Participant, m: Participant) -> bool:
    return e.manager_id is not None and e.manager_id == m.manager_id


def violated_rule(e: Participant, m: Participant, rules: ProgrammeRules) -> str | None:
    """The code of the first hard rule executive `e` and mentor `m` break, or None if they may pair."""
    pair = (e.employee_id, m.employee_id)
    checks = (
        ("opted_out", lambda: e.opted_out or m.opted_out),
        ("excluded", lambda: pair in rules.exclusions),
        ("past_pair", lambda: pair in rules.past_pairs),
        ("reporting_line", lambda: in_reporting_line(e, m, rules.firewall_depth)),
        ("peer_of_direct_report", lambda: same_manager(e, m)),
        ("no_common_language", lambda: not common_languages(e, m, rules.min_fluency)),
        ("hours_overlap", lambda: shared_hours(e, m)[0] < rules.min_overlap_hours),
    )
    return next((code for code, broken in checks if broken()), None)


def mix_holds(rule: str, k: int, own: int, other: int) -> bool:
    """Whether a panel with `own` mentors from the executive's function and `other` from elsewhere
    obeys the programme's function mix (an empty panel always does)."""
    if rule == "at_least_one_other":
        return own <= k * other
    if rule == "exactly_one_own":
        return own <= 1 and other <= (k - 1) * own
    return True
