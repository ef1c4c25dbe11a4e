"""The Mini-IPIP: a validated 20-item Big Five questionnaire whose items are in the public domain.

Donnellan, M. B., Oswald, F. L., Baird, B. M., & Lucas, R. E. (2006). The Mini-IPIP scales:
tiny-yet-effective measures of the Big Five factors of personality. Psychological Assessment, 18,
192-203. The items come from the International Personality Item Pool (ipip.ori.org: "the items are
in the public domain ... no permission is needed"). Four items per trait, answered 1 (very
inaccurate) to 5 (very accurate); reverse-keyed items (6, 7, 8, 9, 10, 15, 16, 17, 18, 19, 20) score
6 minus the answer, and a trait's score is the mean of its four items, 1 to 5.

The order below is the published administration order (item 1 first). The wordings are marked for
the catalogue (N_): the learner's questionnaire (`/me/profile/personality`) shows them in the page's
language, and the answers are stored as numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ValidationError
from .language import N_

TRAITS = ("extraversion", "agreeableness", "conscientiousness", "neuroticism", "intellect")
ITEM_COUNT = 20
LOWEST, HIGHEST = 1, 5


@dataclass(frozen=True, slots=True)
class Item:
    """One statement: its published number, the trait it measures, and whether it is reverse-keyed."""

    number: int
    trait: str
    reverse: bool
    text: str


ITEMS = (
    Item(1, "extraversion", False, N_("Am the life of the party.")),
    Item(2, "agreeableness", False, N_("Sympathize with others' feelings.")),
    Item(3, "conscientiousness", False, N_("Get chores done right away.")),
    Item(4, "neuroticism", False, N_("Have frequent mood swings.")),
    Item(5, "intellect", False, N_("Have a vivid imagination.")),
    Item(6, "extraversion", True, N_("Don't talk a lot.")),
    Item(7, "agreeableness", True, N_("Am not interested in other people's problems.")),
    Item(8, "conscientiousness", True, N_("Often forget to put things back in their proper place.")),
    Item(9, "neuroticism", True, N_("Am relaxed most of the time.")),
    Item(10, "intellect", True, N_("Am not interested in abstract ideas.")),
    Item(11, "extraversion", False, N_("Talk to a lot of different people at parties.")),
    Item(12, "agreeableness", False, N_("Feel others' emotions.")),
    Item(13, "conscientiousness", False, N_("Like order.")),
    Item(14, "neuroticism", False, N_("Get upset easily.")),
    Item(15, "intellect", True, N_("Have difficulty understanding abstract ideas.")),
    Item(16, "extraversion", True, N_("Keep in the background.")),
    Item(17, "agreeableness", True, N_("Am not really interested in others.")),
    Item(18, "conscientiousness", True, N_("Make a mess of things.")),
    Item(19, "neuroticism", True, N_("Seldom feel blue.")),
    Item(20, "intellect", True, N_("Do not have a good imagination.")),
)

# The published response scale, lowest first.
SCALE = (
    N_("Very inaccurate"),
    N_("Moderately inaccurate"),
    N_("Neither inaccurate nor accurate"),
    N_("Moderately accurate"),
    N_("Very accurate"),
)


def validate_answers(answers: Sequence[object]) -> tuple[int, ...]:
    """All 20 answers as whole numbers 1 to 5, in item order; anything else is refused whole.

    A short form is only valid complete: a trait's mean over fewer than its four items is not the
    published scale, so a partial questionnaire is an error, not a partial score.
    """
    if isinstance(answers, str | bytes) or len(answers) != ITEM_COUNT:
        raise ValidationError("answer all 20 statements", errors={"personality": "20 answers from 1 to 5"})
    out = []
    for number, value in enumerate(answers, start=1):
        if isinstance(value, bool) or not isinstance(value, int) or not LOWEST <= value <= HIGHEST:
            raise ValidationError(f"statement {number} needs an answer from 1 to 5", errors={"personality": number})
        out.append(value)
    return tuple(out)


def trait_scores(answers: Sequence[object]) -> tuple[float, ...]:
    """Each trait's mean (1 to 5, in `TRAITS` order), reverse-keyed items scored 6 minus the answer."""
    valid = validate_answers(answers)
    totals = dict.fromkeys(TRAITS, 0)
    for item, value in zip(ITEMS, valid, strict=True):
        totals[item.trait] += (LOWEST + HIGHEST - value) if item.reverse else value
    per_trait = ITEM_COUNT // len(TRAITS)
    return tuple(totals[t] / per_trait for t in TRAITS)
