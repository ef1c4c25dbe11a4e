"""A synthetic programme with the structure real ones have, for benchmarks and demos.

Not uniform noise: countries carry regions, time zones and languages; English levels differ by
country; functions have typical expertise; executives' goals follow a popularity curve (everyone
wants generative AI); juniors sit under middle managers who report into executives' chains; a few
juniors report straight to an executive. Deterministic for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from plugin.domain.matching.profile import Participant
from plugin.domain.personality import ITEM_COUNT, trait_scores

# country, region, time zone, UTC offset, local language, English level (mean), exec weight, junior weight
COUNTRIES = (
    ("United States", "North America", "America/New_York", -5.0, "English", 5.0, 22, 10),
    ("United States", "North America", "America/Los_Angeles", -8.0, "English", 5.0, 10, 5),
    ("Canada", "North America", "America/Toronto", -5.0, "French", 4.6, 4, 3),
    ("Mexico", "Latin America", "America/Mexico_City", -6.0, "Spanish", 3.3, 3, 5),
    ("Brazil", "Latin America", "America/Sao_Paulo", -3.0, "Portuguese", 3.2, 4, 7),
    ("Argentina", "Latin America", "America/Argentina/Buenos_Aires", -3.0, "Spanish", 3.5, 1, 3),
    ("Colombia", "Latin America", "America/Bogota", -5.0, "Spanish", 3.3, 1, 3),
    ("United Kingdom", "Europe", "Europe/London", 0.0, "English", 5.0, 10, 6),
    ("Ireland", "Europe", "Europe/Dublin", 0.0, "English", 5.0, 2, 2),
    ("France", "Europe", "Europe/Paris", 1.0, "French", 3.5, 6, 4),
    ("Germany", "Europe", "Europe/Berlin", 1.0, "German", 3.9, 8, 5),
    ("Spain", "Europe", "Europe/Madrid", 1.0, "Spanish", 3.5, 3, 4),
    ("Italy", "Europe", "Europe/Rome", 1.0, "Italian", 3.3, 2, 3),
    ("Netherlands", "Europe", "Europe/Amsterdam", 1.0, "Dutch", 4.4, 3, 2),
    ("Poland", "Europe", "Europe/Warsaw", 1.0, "Polish", 3.8, 1, 5),
    ("Sweden", "Europe", "Europe/Stockholm", 1.0, "Swedish", 4.4, 1, 1),
    ("South Africa", "Middle East & Africa", "Africa/Johannesburg", 2.0, "Afrikaans", 4.7, 1, 2),
    ("Nigeria", "Middle East & Africa", "Africa/Lagos", 1.0, "Yoruba", 4.5, 1, 3),
    ("Kenya", "Middle East & Africa", "Africa/Nairobi", 3.0, "Swahili", 4.3, 1, 2),
    ("United Arab Emirates", "Middle East & Africa", "Asia/Dubai", 4.0, "Arabic", 4.0, 2, 2),
    ("Egypt", "Middle East & Africa", "Africa/Cairo", 2.0, "Arabic", 3.4, 1, 3),
    ("India", "Asia Pacific", "Asia/Kolkata", 5.5, "Hindi", 4.3, 5, 14),
    ("Japan", "Asia Pacific", "Asia/Tokyo", 9.0, "Japanese", 2.6, 5, 3),
    ("China", "Asia Pacific", "Asia/Shanghai", 8.0, "Mandarin", 2.8, 3, 4),
    ("Singapore", "Asia Pacific", "Asia/Singapore", 8.0, "Mandarin", 4.8, 3, 2),
    ("Australia", "Asia Pacific", "Australia/Sydney", 10.0, "English", 5.0, 3, 2),
    ("South Korea", "Asia Pacific", "Asia/Seoul", 9.0, "Korean", 2.7, 2, 2),
    ("Philippines", "Asia Pacific", "Asia/Manila", 8.0, "Filipino", 4.4, 1, 5),
    ("Vietnam", "Asia Pacific", "Asia/Ho_Chi_Minh", 7.0, "Vietnamese", 2.9, 1, 3),
)
FUNCTIONS = (
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "HR",
    "Operations",
    "Legal",
    "Product",
    "Customer Success",
    "Data",
)
EXEC_FUNCTION_WEIGHTS = (14, 15, 10, 12, 8, 12, 6, 8, 8, 7)
JUNIOR_FUNCTION_WEIGHTS = (20, 14, 10, 6, 5, 10, 3, 8, 14, 10)
TOPICS = (
    "generative_ai",
    "social_media",
    "short_video",
    "gen_z_consumers",
    "remote_collaboration",
    "no_code",
    "data_literacy",
    "cyber_hygiene",
    "sustainability",
    "creator_economy",
    "mobile_payments",
    "gaming",
    "mental_health",
    "inclusive_language",
    "personal_branding",
    "open_source",
)
GOAL_POPULARITY = 1.0 / np.arange(1, len(TOPICS) + 1) ** 0.9
FUNCTION_TOPICS = {
    "Engineering": ("generative_ai", "no_code", "cyber_hygiene", "open_source"),
    "Data": ("generative_ai", "data_literacy", "no_code"),
    "Marketing": ("social_media", "short_video", "creator_economy", "personal_branding"),
    "Sales": ("social_media", "personal_branding", "gen_z_consumers"),
    "Customer Success": ("remote_collaboration", "gen_z_consumers", "no_code"),
    "HR": ("mental_health", "inclusive_language", "remote_collaboration"),
    "Product": ("gen_z_consumers", "generative_ai", "gaming", "mobile_payments"),
    "Finance": ("mobile_payments", "data_literacy"),
    "Operations": ("sustainability", "remote_collaboration", "no_code"),
    "Legal": ("cyber_hygiene", "inclusive_language"),
}
REGION_TOPICS = {
    "Asia Pacific": ("mobile_payments", "gaming"),
    "Latin America": ("social_media", "creator_economy"),
    "Europe": ("sustainability",),
    "North America": ("generative_ai",),
    "Middle East & Africa": ("mobile_payments", "creator_economy"),
}
EXEC_SKILLS = (
    "strategy",
    "m_and_a",
    "leadership",
    "negotiation",
    "public_speaking",
    "board_relations",
    "p_and_l",
    "go_to_market",
    "product_strategy",
    "people_management",
    "risk",
    "fundraising",
)
ASPIRATIONS = (
    "leadership",
    "strategy",
    "finance",
    "product",
    "sales",
    "marketing",
    "go_to_market",
    "public_speaking",
    "negotiation",
    "people_management",
    "operations",
    "fundraising",
)
SECOND_LANGUAGES = ("Spanish", "French", "German", "Mandarin", "Japanese", "Portuguese")
FORMAL_COUNTRIES = {"Japan", "South Korea", "Germany", "China", "France"}


@dataclass(frozen=True)
class SyntheticProgramme:
    executives: list[Participant]
    mentors: list[Participant]
    exclusions: frozenset
    past_pairs: frozenset


def synthetic_programme(executives: int, juniors: int, seed: int = 0) -> SyntheticProgramme:
    """A workforce of `executives` mentees and `juniors` mentors with realistic structure."""
    rng = np.random.default_rng(seed)
    chains = _exec_chains(rng, executives)
    execs = [_executive(rng, i + 1, chains[i]) for i in range(executives)]
    juniors_list = _juniors(rng, juniors, chains)
    exclusions = _random_pairs(rng, execs, juniors_list, executives // 20)
    past = _random_pairs(rng, execs, juniors_list, executives // 5)
    return SyntheticProgramme(execs, juniors_list, exclusions, past)


def with_answers(programme: SyntheticProgramme, share: float, seed: int = 0) -> SyntheticProgramme:
    """The same programme with a `share` of its people (executives and mentors alike) having answered the
    Mini-IPIP, each item 1 to 5 at random. Drawn from a generator of its own, so the rest is unchanged."""
    rng = np.random.default_rng((seed, ITEM_COUNT))

    def answered(people: list[Participant]) -> list[Participant]:
        took = rng.random(len(people)) < share
        answers = rng.integers(1, 6, (len(people), ITEM_COUNT)).tolist()
        rows = zip(people, took, answers, strict=True)
        return [replace(p, personality=trait_scores(a)) if t else p for p, t, a in rows]

    return replace(programme, executives=answered(programme.executives), mentors=answered(programme.mentors))


def _pick(rng, weights, size=None):
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _exec_chains(rng, n: int) -> list[tuple[int, ...]]:
    """Management chain (nearest first) of executive ids 1..n: a CEO, a C-suite of up to 12, a layer
    of vice presidents (a fifth of all), then directors; each reports into the layer above."""
    suite = 1 + min(12, max(n - 1, 0))
    starts = sorted({0, 1, suite, max(suite + 1, n // 5)} | {n})
    starts = [b for b in starts if b <= n]
    chains: list[tuple[int, ...]] = []
    for i in range(n):
        layer = max(j for j, b in enumerate(starts) if b <= i)
        if layer == 0:
            chains.append(())
            continue
        boss = int(rng.integers(starts[layer - 1], starts[layer]))
        chains.append((boss + 1, *chains[boss]))
    return chains


def _style(rng, formal_bias: float, young: bool) -> tuple:
    cadence = _choice(rng, ("async", "sync", None), (55, 35, 10) if young else (20, 70, 10))
    tone = _choice(rng, ("formal", "informal", None), (formal_bias, 90 - formal_bias, 10))
    medium = _choice(rng, ("chat", "video", None), (45, 45, 10) if young else (20, 70, 10))
    return cadence, tone, medium


def _choice(rng, options, weights):
    return options[int(_pick(rng, weights))]


def _languages(rng, country: tuple, bonus: float) -> tuple[tuple[str, int], ...]:
    local, english_mean = country[4], country[5]
    english = int(np.clip(round(rng.normal(english_mean + bonus, 0.8)), 1, 5)) if english_mean < 5 else 5
    langs = {"English": english}
    if local != "English":
        langs[local] = 5
    if rng.random() < 0.12:
        extra = SECOND_LANGUAGES[int(rng.integers(len(SECOND_LANGUAGES)))]
        langs.setdefault(extra, int(rng.integers(3, 5)))
    return tuple(langs.items())


def _executive(rng, employee_id: int, chain: tuple[int, ...]) -> Participant:
    country = COUNTRIES[int(_pick(rng, [c[6] for c in COUNTRIES]))]
    function = FUNCTIONS[int(_pick(rng, EXEC_FUNCTION_WEIGHTS))]
    goals = _top_tags(rng, GOAL_POPULARITY, int(rng.integers(2, 4)))
    skills = tuple(EXEC_SKILLS[i] for i in rng.choice(len(EXEC_SKILLS), int(rng.integers(2, 5)), replace=False))
    cadence, tone, medium = _style(rng, 75 if country[0] in FORMAL_COUNTRIES else 50, young=False)
    start = float(rng.choice((7.5, 8.0, 8.5, 9.0)))
    return Participant(
        employee_id=employee_id,
        country=country[0],
        region=country[1],
        timezone=country[2],
        utc_offset=country[3],
        function=function,
        job_level=len(chain) + 1,
        languages=_languages(rng, country, 0.0),
        cadence=cadence,
        tone=tone,
        medium=medium,
        expertise=skills,
        learning_goals=goals,
        work_start=start,
        work_end=start + float(rng.choice((9.0, 10.0))),
        ancestors=chain,
        opted_out=bool(rng.random() < 0.01),
    )


def _top_tags(rng, weights: np.ndarray, n: int) -> tuple[str, ...]:
    keys = np.log(weights) + rng.gumbel(size=len(weights))
    return tuple(TOPICS[i] for i in np.argsort(-keys)[:n])


def _juniors(rng, n: int, chains: list[tuple[int, ...]]) -> list[Participant]:
    countries = _pick(rng, [c[7] for c in COUNTRIES], size=n)
    functions = _pick(rng, JUNIOR_FUNCTION_WEIGHTS, size=n)
    managers = _middle_managers(rng, countries, functions, len(chains))
    people = []
    for j in range(n):
        country, function = COUNTRIES[int(countries[j])], FUNCTIONS[int(functions[j])]
        boss = managers[j]
        if boss <= len(chains):
            chain = (boss, *chains[boss - 1])
        else:
            head = _exec_of(boss, chains)
            chain = (boss, head + 1, *chains[head])
        people.append(_junior(rng, 1_000_001 + j, country, function, chain))
    return people


def _middle_managers(rng, countries: np.ndarray, functions: np.ndarray, n_execs: int) -> list[int]:
    """Manager id per junior: an executive for ~4%, else a middle manager of ~8 juniors who share
    country and function."""
    managers, teams = [], {}
    for c, f in zip(countries.tolist(), functions.tolist(), strict=True):
        if rng.random() < 0.04 and n_execs:
            managers.append(int(rng.integers(1, n_execs + 1)))
            continue
        team = teams.setdefault((c, f), [len(teams) * 1000, 0])
        managers.append(_MANAGER_BASE + team[0] + team[1] // 8)
        team[1] += 1
    return managers


_MANAGER_BASE = 50_000_000


def _exec_of(manager_id: int, chains: list) -> int:
    """The executive (index) a middle manager reports to, fixed by the manager's id."""
    return (manager_id * 2654435761) % len(chains) if chains else 0


def _junior(rng, employee_id: int, country: tuple, function: str, chain: tuple) -> Participant:
    affine = FUNCTION_TOPICS[function] + REGION_TOPICS[country[1]]
    weights = np.array([3.0 if t in affine else 0.4 for t in TOPICS])
    expertise = _top_tags(rng, weights, int(rng.integers(2, 5)))
    picks = rng.choice(len(ASPIRATIONS), int(rng.integers(1, 3)), replace=False)
    hopes = tuple(ASPIRATIONS[i] for i in picks)
    cadence, tone, medium = _style(rng, 45 if country[0] in FORMAL_COUNTRIES else 25, young=True)
    start = float(rng.choice((7.0, 8.0, 9.0, 9.0, 10.0)))
    length = float(rng.choice((8.0, 9.0, 9.0, 12.0)))
    return Participant(
        employee_id=employee_id,
        country=country[0],
        region=country[1],
        timezone=country[2],
        utc_offset=country[3],
        function=function,
        job_level=len(chain) + 1,
        languages=_languages(rng, country, 0.3),
        cadence=cadence,
        tone=tone,
        medium=medium,
        expertise=expertise,
        aspirations=hopes,
        work_start=start,
        work_end=start + length,
        ancestors=chain,
        opted_out=bool(rng.random() < 0.01),
    )


def _random_pairs(rng, execs: list, mentors: list, n: int) -> frozenset:
    if not execs or not mentors:
        return frozenset()
    ei = rng.integers(len(execs), size=n)
    mi = rng.integers(len(mentors), size=n)
    return frozenset((execs[i].employee_id, mentors[j].employee_id) for i, j in zip(ei, mi, strict=True))
