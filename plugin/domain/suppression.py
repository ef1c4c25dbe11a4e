"""Small-cell suppression for reflection aggregates that no pair of reports can undo by subtraction.

Method (block partition, a form of complementary suppression):
1. Every person is one *atom*: a key of dimension values, e.g. (programme, role, region, function).
2. `partition()` groups atoms into *blocks* of at least `threshold` people. Finest cells with enough people
   are blocks on their own; the rest are pooled with their siblings one dimension up (drop the last
   dimension). A pool still too small joins the smallest block of its own branch, or moves up again;
   one still too small at the top joins the smallest block of all.
3. A report cell (any grouping by any subset of the dimensions, optionally restricted to some values) is
   published only when it is an exact union of whole blocks; otherwise it is suppressed, whatever its size.

Every published number is therefore a sum over whole blocks. Subtracting any two published cells, from one
report or from two overlapping reports, yields a sum over whole blocks: either nobody or at least
`threshold` people. The partition depends only on the data, never on the question asked, so asking
differently cannot move a boundary. What it does not cover: comparing reports taken before and after a
single new answer (callers publish data as of a fixed cut-off, see `plugin.services.insights`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MIN_THRESHOLD = 3
ANY = "*"


@dataclass(frozen=True)
class Atom:
    """One person's contribution: their group key, how many answers, and the sum of each measure."""

    key: tuple[str, ...]
    answers: int
    sums: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """One published or suppressed report cell; numbers are None when suppressed."""

    key: tuple[str, ...]
    people: int | None
    answers: int | None
    means: Mapping[str, float] | None

    @property
    def suppressed(self) -> bool:
        return self.people is None


def check_threshold(threshold: int) -> int:
    """The threshold, refused when it is below the floor of 3 people."""
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"the smallest group shown must be at least {MIN_THRESHOLD} people, not {threshold}")
    return threshold


def partition(keys: Iterable[tuple[str, ...]], threshold: int) -> list[frozenset[int]]:
    """Blocks of atom indexes, each of at least `threshold` atoms (unless there are fewer atoms in all)."""
    check_threshold(threshold)
    keys = list(keys)
    pending: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        pending[key].append(index)
    blocks: list[tuple[tuple[str, ...], set[int]]] = []  # (key the block grew from, members)
    depth = len(keys[0]) if keys else 0
    while depth > 0:
        pooled: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for key, members in sorted(pending.items()):
            if len(members) >= threshold:
                blocks.append((key, set(members)))
            else:
                pooled[key[: depth - 1]].extend(members)
        pending, depth = _keep_local(pooled, blocks, threshold), depth - 1
    leftover = [i for members in pending.values() for i in members]
    if leftover:
        _join_smallest(blocks, (), leftover)
    return [frozenset(members) for _, members in blocks]


def _keep_local(pooled, blocks, threshold) -> dict[tuple[str, ...], list[int]]:
    """A pool too small for a block joins a block of its own branch when there is one, else moves up."""
    moving_up = {}
    for prefix, members in pooled.items():
        if len(members) < threshold and _join_smallest(blocks, prefix, members):
            continue
        moving_up[prefix] = members
    return moving_up


def _join_smallest(blocks, prefix: tuple[str, ...], members: list[int]) -> bool:
    branch = [b for b in blocks if b[0][: len(prefix)] == prefix]
    if not branch:
        if not prefix:
            blocks.append((prefix, set(members)))  # fewer people than the threshold in all
            return True
        return False
    min(branch, key=lambda b: (len(b[1]), b[0]))[1].update(members)
    return True


def suppress(
    atoms: Sequence[Atom], threshold: int, by: Sequence[int], where: Mapping[int, str] | None = None
) -> list[Cell]:
    """Cells grouping `atoms` by the dimension positions `by` (filtered by `where`), small ones suppressed."""
    blocks = partition((a.key for a in atoms), threshold)
    block_of = {i: n for n, block in enumerate(blocks) for i in block}
    where = where or {}
    cells: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, atom in enumerate(atoms):
        if all(atom.key[d] == v for d, v in where.items()):
            cells[tuple(atom.key[d] for d in by)].append(index)
    return [_cell(key, members, atoms, blocks, block_of, threshold) for key, members in sorted(cells.items())]


def _cell(key, members, atoms, blocks, block_of, threshold) -> Cell:
    whole = all(blocks[block_of[i]] <= set(members) for i in members)
    if not whole or len(members) < threshold:
        return Cell(key=key, people=None, answers=None, means=None)
    answers = sum(atoms[i].answers for i in members)
    totals: dict[str, float] = defaultdict(float)
    for i in members:
        for name, value in atoms[i].sums.items():
            totals[name] += value
    means = {name: round(total / answers, 2) for name, total in totals.items()} if answers else {}
    return Cell(key=key, people=len(members), answers=answers, means=means)
