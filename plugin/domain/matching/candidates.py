"""The sparse candidate graph: for each executive, a short list of feasible mentors worth solving over.

Raw scores make every executive chase the same few broadly strong mentors: the short lists would
overlap and, where mentors are scarce, slots would compete for a few hundred people. So half of each
list is the best by raw score and half the best by a normalised score: the raw score minus half the
mentor's popularity (their mean score against a sample of executives), which favours mentors who
suit *this* executive rather than everyone. Rescaling per executive would not change a list, so the
normalisation is per mentor. A tiny per-executive jitter spreads exact ties (scores are discrete).
With distinct-country panels no country takes more than a k-th of a list, and when a function mix
applies, a reserve of the kind of mentor it needs is added. The solver maximises raw scores.

Each executive's `Nearest` (the best by raw score, four lists deep) is kept for pricing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from plugin.domain.matching.mentor_table import NEG, MentorTable
from plugin.domain.matching.profile import Participant, ProgrammeRules

POPULARITY_WEIGHT = 0.5
NORMALISED_SHARE = 0.5
NEAREST_KEPT = 4
RESERVE_SHARE = 5
POPULARITY_SAMPLE = 128
JITTER = 1e-4
JITTER_VARIANTS = 8


@dataclass(frozen=True)
class Nearest:
    """An executive's mentors with the best raw scores (table positions, scores, best first); every
    mentor left out scores at most `bound`, which lets pricing skip them."""

    positions: np.ndarray
    scores: np.ndarray
    bound: float


@dataclass
class CandidateGraph:
    """Edges executive -> mentor position in the table, with raw scores; executives by input index."""

    edge_exec: np.ndarray
    edge_mentor: np.ndarray
    edge_score: np.ndarray
    slots: np.ndarray
    exec_function: np.ndarray

    @property
    def size(self) -> int:
        return len(self.edge_exec)

    def extend(self, execs: np.ndarray, mentors: np.ndarray, scores: np.ndarray) -> None:
        self.edge_exec = np.concatenate([self.edge_exec, execs])
        self.edge_mentor = np.concatenate([self.edge_mentor, mentors])
        self.edge_score = np.concatenate([self.edge_score, scores])


class CandidateBuilder:
    """Builds short lists against one `MentorTable` for one programme's rules."""

    def __init__(
        self,
        table: MentorTable,
        executives: Sequence[Participant],
        rules: ProgrammeRules,
        slots: np.ndarray,
        blocked_countries: dict[int, set[int]] | None = None,
    ):
        self.table, self.executives, self.rules, self.slots = table, executives, rules, slots
        self.blocked_countries = blocked_countries or {}
        self.adjust = self._selection_adjustments()
        self.nearest: list[Nearest | None] = [None] * len(executives)
        self.exec_function = np.asarray([table.function_code(e) for e in executives], dtype=np.int32)

    def _selection_adjustments(self) -> np.ndarray:
        """Rows: jitter variants (added to raw scores), then the same minus centred popularity."""
        sample = [e for e in self.executives if not e.opted_out]
        step = max(1, len(sample) // POPULARITY_SAMPLE)
        popularity = np.zeros(self.table.size, dtype=np.float64)
        for e in sample[::step]:
            s = self.table.scores(e)
            popularity += np.where(s > NEG, s, 0.0)
        popularity /= max(1, len(sample[::step]))
        centred = (popularity - popularity.mean()) if self.table.size else popularity
        rng = np.random.default_rng(20240611)
        jitter = rng.random((JITTER_VARIANTS, self.table.size)) * JITTER
        return np.concatenate([jitter, jitter - POPULARITY_WEIGHT * centred]).astype(np.float32)

    def scores(self, i: int) -> np.ndarray:
        """Raw scores of every mentor for executive i, with countries its locked mentors use ruled out."""
        s = self.table.scores(self.executives[i])
        for country in self.blocked_countries.get(i, ()):
            s[self.table.country == country] = NEG
        return s

    def short_list(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Table positions and raw scores of executive i's candidates: the best by raw score, then the
        best by normalised score among the rest, plus a reserve the function mix needs. Also keeps
        executive i's `Nearest` for pricing."""
        s = self.scores(i)
        size = self.rules.candidates_per_executive
        raw = s + self.adjust[i % JITTER_VARIANTS]
        kept = _best(raw, NEAREST_KEPT * size)
        bound = raw[kept[-1]] if len(kept) == NEAREST_KEPT * size else NEG
        self.nearest[i] = Nearest(kept, s[kept], float(bound))
        by_raw = self._spread(kept, size - round(size * NORMALISED_SHARE))
        reserve = self._reserve(i, raw)
        relative = np.add(s, self.adjust[JITTER_VARIANTS + i % JITTER_VARIANTS], out=raw)  # raw is done
        relative[by_raw] = NEG
        by_relative = _best(relative, 3 * size if self._spreads() else size)
        chosen = np.concatenate([by_raw, self._spread(by_relative, size - len(by_raw))])
        if len(reserve):
            reserve = reserve[~np.isin(reserve, chosen)]
            chosen = np.concatenate([chosen, reserve])
        return chosen, s[chosen]

    def _reserve(self, i: int, raw: np.ndarray) -> np.ndarray:
        """The best mentors of the kind the function mix requires, so every panel can meet it:
        own-function ones for "exactly_one_own", other-function ones for "at_least_one_other"."""
        rule = self.rules.function_mix
        if rule == "none":
            return np.empty(0, dtype=np.int64)
        code = self.exec_function[i]
        own = (self.table.function == code) & (code != 0)
        wanted = own if rule == "exactly_one_own" else ~own
        size = max(self.rules.k, self.rules.candidates_per_executive // RESERVE_SHARE)
        return self._spread(_best(np.where(wanted, raw, NEG), 3 * size), size)

    def free_picks(self, i: int, exclude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Executive i's best candidates by raw score among mentors not in `exclude`."""
        s = self.scores(i)
        s[exclude] = NEG
        size = self.rules.candidates_per_executive
        picks = self._spread(_best(s + self.adjust[i % JITTER_VARIANTS], 3 * size), size)
        return picks, s[picks]

    def _spreads(self) -> bool:
        return self.rules.distinct_countries and self.rules.k > 1

    def _spread(self, ranked: np.ndarray, size: int) -> np.ndarray:
        """The first `size` of `ranked`; with distinct countries, at most a k-th of them per country."""
        if self._spreads():
            ranked = ranked[_rank_within(self.table.country[ranked]) < -(-size // self.rules.k)]
        return ranked[: max(size, 0)]

    def build(self) -> CandidateGraph:
        """Short lists for every executive with open slots."""
        todo = [i for i, e in enumerate(self.executives) if self.slots[i] > 0 and not e.opted_out]
        parts = in_threads(lambda chunk: [(i, *self.short_list(i)) for i in chunk], todo)
        lists = sorted((item for part in parts for item in part), key=lambda item: item[0])
        return self._graph(lists)

    def _graph(self, lists: list[tuple[int, np.ndarray, np.ndarray]]) -> CandidateGraph:
        sizes = [len(p) for _, p, _ in lists]
        empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        return CandidateGraph(
            edge_exec=np.repeat(np.asarray([i for i, _, _ in lists], dtype=np.int64), sizes),
            edge_mentor=np.concatenate([p for _, p, _ in lists] or [empty_i]).astype(np.int64),
            edge_score=np.concatenate([s for _, _, s in lists] or [empty_f]).astype(np.float32),
            slots=self.slots.copy(),
            exec_function=self.exec_function,
        )


def _best(sel: np.ndarray, size: int) -> np.ndarray:
    """Positions of the `size` highest finite values of `sel`, best first (ties by position)."""
    pool = _above_threshold(sel, size)
    if len(pool) > size:
        pool = pool[np.argpartition(-sel[pool], size - 1)[:size]]
    return pool[np.lexsort((pool, -sel[pool]))]


def in_threads(work, items: list, workers: int | None = None) -> list:
    """`work` on interleaved slices of `items`, one slice per thread; results in slice order.

    numpy releases the GIL inside its loops, so the per-executive passes overlap on two cores.
    """
    workers = workers or min(2, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, [items[w::workers] for w in range(workers)]))


def group_by(keys: np.ndarray, values: np.ndarray) -> dict[int, np.ndarray]:
    """values grouped by key (input order kept within a key)."""
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    cuts = np.flatnonzero(np.diff(keys)) + 1
    return {int(k[0]): v for k, v in zip(np.split(keys, cuts), np.split(values, cuts), strict=True) if len(k)}


def _above_threshold(sel: np.ndarray, wanted: int) -> np.ndarray:
    """Positions whose selection score is at least an estimate of the `wanted`-th best, feasible only."""
    stride = max(1, len(sel) // 1024)
    sample = sel[::stride]
    rank = len(sample) - (2 * wanted // stride + 8)
    if rank > 0:
        threshold = np.partition(sample, rank)[rank]
        if threshold > NEG:
            pool = np.flatnonzero(sel >= threshold)
            if len(pool) >= wanted:
                return pool
    return np.flatnonzero(sel > NEG)


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """For each item, how many earlier items share its group (0 for the first of a group)."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    new_run = np.ones(len(groups), dtype=bool)
    new_run[1:] = sorted_groups[1:] != sorted_groups[:-1]
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(len(groups)), 0))
    ranks = np.empty(len(groups), dtype=np.int64)
    ranks[order] = np.arange(len(groups)) - run_start
    return ranks
