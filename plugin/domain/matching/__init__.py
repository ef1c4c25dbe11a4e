"""Who mentors whom: scores with reasons, hard rules, and an optimal solver over a sparse graph."""
from plugin.domain.matching.diagnosis import Unfilled
from plugin.domain.matching.profile import CRITERIA, DEFAULT_WEIGHTS, Participant, ProgrammeRules
from plugin.domain.matching.result import DroppedLock, MatchResult, Pair
from plugin.domain.matching.rules import RULES, violated_rule
from plugin.domain.matching.scoring import CriterionScore, PairScore, score_pair
from plugin.domain.matching.solver import rematch_panel, solve

__all__ = [
    "CRITERIA", "DEFAULT_WEIGHTS", "RULES", "CriterionScore", "DroppedLock", "MatchResult", "Pair",
    "PairScore", "Participant", "ProgrammeRules", "Unfilled", "rematch_panel", "score_pair", "solve",
    "violated_rule",
]
