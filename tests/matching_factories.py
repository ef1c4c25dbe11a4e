"""Participants and small random workforces for the matching tests."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from plugin.domain.matching import Participant

PLACES = {
    "Japan": ("Asia Pacific", "Asia/Tokyo", 9.0, "Japanese"),
    "India": ("Asia Pacific", "Asia/Kolkata", 5.5, "Hindi"),
    "Germany": ("Europe", "Europe/Berlin", 1.0, "German"),
    "Brazil": ("Latin America", "America/Sao_Paulo", -3.0, "Portuguese"),
    "United States": ("North America", "America/New_York", -5.0, "English"),
}
FUNCTIONS = ("Finance", "Engineering", "Sales")
TAGS = ("generative_ai", "social_media", "finance", "strategy", "gaming")


def make_participant(employee_id, country: str = "Germany", **overrides) -> Participant:
    """A participant in `country` who speaks English well, works 9 to 17, with anything overridden."""
    region, timezone, offset, local = PLACES[country]
    fields = dict(
        employee_id=employee_id,
        country=country,
        region=region,
        timezone=timezone,
        utc_offset=offset,
        function="Engineering",
        languages=(("English", 4),) + (((local, 5),) if local != "English" else ()),
    )
    fields.update(overrides)
    return Participant(**fields)


@dataclass(frozen=True)
class Workforce:
    executives: list[Participant]
    mentors: list[Participant]
    exclusions: frozenset
    past_pairs: frozenset


@st.composite
def participants(draw, employee_id, ancestors: tuple, opt_out_rate: bool = True) -> Participant:
    """A random participant; one in eight opts out when `opt_out_rate` is on."""
    country = draw(st.sampled_from(sorted(PLACES)))
    langs = draw(
        st.dictionaries(
            st.sampled_from(["English", "Japanese", "German", "Portuguese"]), st.integers(1, 5), min_size=1, max_size=3
        )
    )
    start = draw(st.sampled_from([0.0, 6.0, 9.0, 14.0, 22.0]))
    return make_participant(
        employee_id,
        country,
        function=draw(st.sampled_from(FUNCTIONS)),
        languages=tuple(sorted(langs.items())),
        cadence=draw(st.sampled_from([None, "sync", "async"])),
        tone=draw(st.sampled_from([None, "formal", "informal"])),
        medium=draw(st.sampled_from([None, "video", "chat"])),
        expertise=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))),
        learning_goals=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))),
        aspirations=tuple(draw(st.lists(st.sampled_from(TAGS + ("engineering",)), max_size=2, unique=True))),
        work_start=start,
        work_end=start + draw(st.sampled_from([4.0, 8.0, 12.0])),
        ancestors=ancestors,
        opted_out=opt_out_rate and draw(st.integers(0, 7)) == 0,
    )


@st.composite
def workforces(draw, max_executives: int = 4, max_mentors: int = 9, opt_outs: bool = True) -> Workforce:
    """Executives 1..E in a small hierarchy; mentors 100.. under middle managers (500..) or executives."""
    n_exec = draw(st.integers(1, max_executives))
    chains = [()]
    for i in range(1, n_exec):
        boss = draw(st.integers(0, i - 1))
        chains.append((boss + 1, *chains[boss]))
    executives = [draw(participants(i + 1, chains[i], opt_outs)) for i in range(n_exec)]
    mentors = []
    for j in range(draw(st.integers(1, max_mentors))):
        head = draw(st.integers(0, n_exec - 1))
        direct = draw(st.booleans())
        chain = (head + 1, *chains[head]) if direct else (500 + head, head + 1, *chains[head])
        mentors.append(draw(participants(100 + j, chain, opt_outs)))
    pairs = [(e.employee_id, m.employee_id) for e in executives for m in mentors]
    exclusions = draw(st.sets(st.sampled_from(pairs), max_size=2))
    past = draw(st.sets(st.sampled_from(pairs), max_size=2))
    return Workforce(executives, mentors, frozenset(exclusions), frozenset(past))
