"""Who mentors whom: scores with reasons, hard rules, and an optimal solver over a sparse graph.

The public API; see `solver` for how a programme is matched.
"""

from plugin.domain.matching.diagnosis import Unfilled, diagnose_proposal
from plugin.domain.matching.explain import by_contribution, explain_pair, explain_unfilled, points, remedy, summary
from plugin.domain.matching.greedy import greedy_match
from plugin.domain.matching.profile import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    FUNCTION_MIXES,
    Participant,
    ProgrammeRules,
)
from plugin.domain.matching.result import DroppedLock, MatchResult, Pair
from plugin.domain.matching.rules import RULE_TEXT, RULES, violated_rule
from plugin.domain.matching.scoring import CriterionScore, PairScore, score_pair
from plugin.domain.matching.solver import rematch_panel, solve

__all__ = [
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "FUNCTION_MIXES",
    "RULES",
    "RULE_TEXT",
    "CriterionScore",
    "DroppedLock",
    "MatchResult",
    "Pair",
    "PairScore",
    "Participant",
    "ProgrammeRules",
    "Unfilled",
    "by_contribution",
    "diagnose_proposal",
    "explain_pair",
    "explain_unfilled",
    "greedy_match",
    "points",
    "rematch_panel",
    "remedy",
    "score_pair",
    "solve",
    "summary",
    "violated_rule",
]
