"""Suppression: no report, and no difference of two reports, ever shows fewer than the threshold of people."""

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.domain.suppression import Atom, partition, suppress


def atoms(groups: dict[tuple, int]) -> list[Atom]:
    """`n` people per key, each with one answer of 4 on every question."""
    return [Atom(key=key, answers=1, sums={"q1": 4.0}) for key, n in groups.items() for _ in range(n)]


def members(cells_atoms, by, where=None):
    """People of each cell, as index sets, computed independently of the suppression code."""
    out = {}
    for i, atom in enumerate(cells_atoms):
        if all(atom.key[d] == v for d, v in (where or {}).items()):
            out.setdefault(tuple(atom.key[d] for d in by), set()).add(i)
    return out


def test_a_small_cell_is_suppressed_and_a_large_one_shown():
    people = atoms({("p1", "mentor"): 7, ("p1", "mentee"): 2})
    by_role = {c.key: c for c in suppress(people, 5, by=[1])}
    assert by_role[("mentee",)].people is None and by_role[("mentee",)].means is None
    assert by_role[("mentor",)].suppressed  # showing it would reveal the mentees by subtraction from the total


def test_region_total_minus_published_functions_never_reveals_two_people():
    # Europe: 12 people, of whom 2 in Sales; a region report and a region x function report
    people = atoms({("Europe", "Eng"): 10, ("Europe", "Sales"): 2, ("Asia", "Eng"): 6})
    by_region = {c.key: c for c in suppress(people, 5, by=[0])}
    by_both = {c.key: c for c in suppress(people, 5, by=[0, 1])}
    europe, europe_eng = by_region[("Europe",)], by_both[("Europe", "Eng")]
    assert by_both[("Europe", "Sales")].suppressed
    assert europe.suppressed or europe_eng.suppressed  # both shown would give 12 - 10 = 2
    assert by_both[("Asia", "Eng")].people == 6


def test_a_threshold_below_three_is_refused():
    with pytest.raises(ValueError, match="at least 3"):
        suppress(atoms({("a",): 5}), 2, by=[0])


def test_every_block_holds_at_least_threshold_people():
    people = atoms({("p", "r", str(i)): i % 4 for i in range(20)})
    blocks = partition((a.key for a in people), 5)
    assert sorted(i for b in blocks for i in b) == list(range(len(people)))
    assert all(len(b) >= 5 for b in blocks)


KEYS = st.tuples(
    st.sampled_from("ab"), st.sampled_from(["mentor", "mentee"]), st.sampled_from("xyz"), st.sampled_from("FG")
)
GROUPINGS = [[0], [1], [2], [3], [0, 1], [1, 2], [2, 3], [0, 2, 3], [0, 1, 2, 3]]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(KEYS, st.integers(0, 7), max_size=24), st.integers(3, 6))
def test_no_two_published_cells_differ_by_fewer_than_threshold_people(groups, threshold):
    people = atoms(groups)
    published = []
    for by in GROUPINGS:
        for where in (None, {1: "mentor"}, {0: "a"}):
            sets = members(people, by, where)
            for cell in suppress(people, threshold, by=by, where=where):
                assert cell.suppressed or cell.people == len(sets[cell.key]) >= threshold
                if not cell.suppressed:
                    published.append(frozenset(sets[cell.key]))
    for a, b in combinations(set(published), 2):
        if b <= a:
            assert len(a - b) >= threshold, "subtracting two reports would reveal a small group"
        if a <= b:
            assert len(b - a) >= threshold, "subtracting two reports would reveal a small group"
