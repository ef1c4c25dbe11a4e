"""Mentors as column arrays, so one executive is scored against every mentor in a few numpy passes.

The numbers are those of `scoring.score_pair` and the feasibility that of `rules.violated_rule`;
only the arithmetic is batched. Mentors are sorted into blocks that share country, working window
and working languages, so the criteria that depend only on those are computed once per block and
spread with `np.repeat`; the rest are sums of precomputed per-mentor columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from plugin.domain.matching.profile import Participant, ProgrammeRules
from plugin.domain.matching.scoring import PERSONALITY_NEUTRAL, PERSONALITY_RULE, STYLE_FIELDS, trait_fit, utc_window

NEG = np.float32(-np.inf)


class MentorTable:
    """Feature columns of the mentors who have not opted out and are not `taken`, ordered by block.

    `taken` holds input indices of mentors already spoken for (locked to a panel).
    """

    def __init__(
        self,
        mentors: Sequence[Participant],
        rules: ProgrammeRules,
        executives: Sequence[Participant],
        taken: frozenset[int] = frozenset(),
    ):
        self.rules = rules
        eligible = [i for i, m in enumerate(mentors) if not m.opted_out and i not in taken]
        self.opted_out_count = sum(1 for m in mentors if m.opted_out)
        self.countries: dict[str, int] = {}
        self.regions: dict[str, int] = {}
        self.languages: dict[str, int] = {}
        block_ids = self._encode_blocks([mentors[i] for i in eligible])
        order = np.argsort(block_ids, kind="stable")
        self.orig = np.asarray(eligible, dtype=np.int64)[order]
        self.counts = np.bincount(block_ids, minlength=len(self._block_keys))
        self.people = [mentors[i] for i in self.orig]
        self.size = len(self.people)
        self.country = np.fromiter((self.countries[m.country] for m in self.people), np.int32, self.size)
        self.functions: dict[str, int] = {"": 0}
        self.function = np.fromiter((self.function_code(m) for m in self.people), np.int32, self.size)
        self._index_people(executives)
        self._index_tags()

    def function_code(self, p: Participant) -> int:
        """A number per function, 0 when unknown; executives' functions get numbers too."""
        return self.functions.setdefault(p.function.lower(), len(self.functions))

    # -- construction -------------------------------------------------------------------------
    def _encode_blocks(self, mentors: list[Participant]) -> np.ndarray:
        minf = self.rules.min_fluency
        blocks: dict[tuple, int] = {}
        working: dict[tuple, tuple] = {}  # many people list the same languages: sort each list once
        ids = np.empty(len(mentors), dtype=np.int64)
        for i, m in enumerate(mentors):
            langs = working.get(m.languages)
            if langs is None:
                langs = working.setdefault(
                    m.languages, tuple(sorted((lang, lvl) for lang, lvl in dict(m.languages).items() if lvl >= minf))
                )
            key = (m.country, m.region, *utc_window(m), langs)
            ids[i] = blocks.setdefault(key, len(blocks))
        self._block_keys = list(blocks)
        for country, region, *_ in self._block_keys:
            self.countries.setdefault(country, len(self.countries))
            self.regions.setdefault(region, len(self.regions))
        for *_, langs in self._block_keys:
            for lang, _lvl in langs:
                self.languages.setdefault(lang, len(self.languages))
        self._block_arrays()
        return ids

    def _block_arrays(self) -> None:
        keys = self._block_keys
        self.b_country = np.array([self.countries[k[0]] for k in keys], dtype=np.int32)
        self.b_region = np.array([self.regions[k[1]] for k in keys], dtype=np.int32)
        self.b_start = np.array([k[2] for k in keys], dtype=np.float64)
        self.b_len = np.array([k[3] for k in keys], dtype=np.float64)
        self.b_fluency = np.zeros((len(self.languages), len(keys)), dtype=np.float32)
        for b, key in enumerate(keys):
            for lang, lvl in key[4]:
                self.b_fluency[self.languages[lang], b] = lvl

    def _index_people(self, executives: Sequence[Participant]) -> None:
        exec_function = {e.employee_id: e.function.lower() for e in executives}
        managers = {e.manager_id for e in executives if e.manager_id is not None}
        self.position = {m.employee_id: p for p, m in enumerate(self.people)}
        depth = self.rules.firewall_depth
        below, peers = defaultdict(list), defaultdict(list)
        for p, m in enumerate(self.people):
            for level, boss in enumerate(m.ancestors):
                if boss in exec_function and (
                    depth is None
                    or level < depth
                    or (exec_function[boss] and exec_function[boss] == m.function.lower())
                ):
                    below[boss].append(p)
            if m.manager_id in managers:
                peers[m.manager_id].append(p)
        self._below = {k: np.asarray(v, dtype=np.int64) for k, v in below.items()}
        self._peers = {k: np.asarray(v, dtype=np.int64) for k, v in peers.items()}
        self._excluded = self._pairs_by_exec(self.rules.exclusions)
        self._past = self._pairs_by_exec(self.rules.past_pairs)

    def _pairs_by_exec(self, pairs) -> dict:
        found = defaultdict(list)
        for exec_id, mentor_id in pairs:
            if mentor_id in self.position:
                found[exec_id].append(self.position[mentor_id])
        return {k: np.asarray(sorted(v), dtype=np.int64) for k, v in found.items()}

    def _index_tags(self) -> None:
        """One pass over the mentors: who holds each expertise and aspiration tag, and style codes."""
        self._expert: dict[str, list[int]] = defaultdict(list)
        self._hopes: dict[str, list[tuple[int, float]]] = defaultdict(list)
        vocabs: list[dict[str | None, int]] = [{None: 0} for _ in STYLE_FIELDS]
        codes: list[list[int]] = [[] for _ in STYLE_FIELDS]
        styles_of = attrgetter(*STYLE_FIELDS)
        for p, m in enumerate(self.people):
            for tag in set(m.expertise):
                self._expert[tag].append(p)
            hopes = set(m.aspirations)
            for tag in hopes:
                self._hopes[tag].append((p, 1.0 / len(hopes)))
            for vocab, code, value in zip(vocabs, codes, styles_of(m), strict=True):
                code.append(vocab.setdefault(value, len(vocab)))
        self._styles = {
            name: (vocab, np.asarray(code, dtype=np.int16))
            for name, vocab, code in zip(STYLE_FIELDS, vocabs, codes, strict=True)
        }
        self._columns: dict[tuple, np.ndarray] = {}
        self._parts: dict[tuple, np.ndarray] = {}
        # Mini-IPIP means of the traits the rule uses, one row per rule entry; NaN for no answers
        self._traits = np.full((len(PERSONALITY_RULE), self.size), np.nan, dtype=np.float64)
        for p, m in enumerate(self.people):
            if m.personality is not None:
                self._traits[:, p] = [m.personality[t] for t, _ in PERSONALITY_RULE]

    # -- per-mentor columns and per-block parts, built on first use ---------------------------
    def _column(self, key: tuple) -> np.ndarray:
        col = self._columns.get(key)
        if col is None:
            col = self._columns.setdefault(key, self._build_column(*key))
        return col

    def _build_column(self, kind: str, name: str, value: str = "") -> np.ndarray:
        shares = self.rules.shares
        col = np.zeros(self.size, dtype=np.float32)
        if kind == "expertise":
            col[self._expert.get(name, [])] = 1.0
        elif kind == "aspiration":
            hits = self._hopes.get(name, [])
            col[[p for p, _ in hits]] = [shares["aspirations"] * w for _, w in hits]
        elif kind == "personality":
            rule, mine = int(name), float(value)
            fit = trait_fit(PERSONALITY_RULE[rule][1], mine, self._traits[rule])
            col[:] = shares["personality"] / len(PERSONALITY_RULE) * np.where(np.isnan(fit), PERSONALITY_NEUTRAL, fit)
        elif kind == "other_function":
            own = self.functions.get(name, -1)
            col[(self.function != own) & (self.function != 0)] = shares["cross_function"]
        else:
            vocab, codes = self._styles[name]
            col[(codes == 0) | (codes == vocab.get(value, -1))] = shares["communication"] / len(STYLE_FIELDS)
        return col

    def _part(self, key: tuple) -> np.ndarray:
        part = self._parts.get(key)
        if part is None:
            part = self._parts.setdefault(key, self._build_part(*key))
        return part

    def _build_part(self, kind: str, *args) -> np.ndarray:
        """A per-block share of the score; -inf where the block breaks the hours or language rule."""
        build = {"hours": self._hours_part, "language": self._language_part, "culture": self._culture_part}
        return build[kind](*args).astype(np.float32)

    def _hours_part(self, a: float, la: float) -> np.ndarray:
        rules = self.rules
        hours = np.zeros(len(self.b_start))
        for shift in (-24.0, 0.0, 24.0):
            start = np.maximum(a, self.b_start + shift)
            end = np.minimum(a + la, self.b_start + shift + self.b_len)
            hours += np.maximum(end - start, 0.0)
        ideal = rules.ideal_overlap_hours
        part = rules.shares["hours"] * np.minimum(hours, ideal) / ideal
        return np.where(hours >= rules.min_overlap_hours, part, -np.inf)

    def _language_part(self, langs: tuple[tuple[str, int], ...]) -> np.ndarray:
        best = np.zeros(len(self.b_start), dtype=np.float32)
        for lang, lvl in langs:
            np.maximum(best, np.minimum(self.b_fluency[self.languages[lang]], lvl), out=best)
        return np.where(best > 0, self.rules.shares["language"] * best.astype(np.float64) / 5, -np.inf)

    def _culture_part(self, country: str, region: str) -> np.ndarray:
        same_country = self.b_country == self.countries.get(country, -1)
        same_region = self.b_region == self.regions.get(region, -1)
        return self.rules.shares["culture"] * np.where(same_country, 0.0, np.where(same_region, 0.5, 1.0))

    def _block_keys_of(self, e: Participant) -> tuple[tuple, tuple, tuple]:
        langs = tuple(
            sorted(
                (lang, lvl)
                for lang, lvl in dict(e.languages).items()
                if lvl >= self.rules.min_fluency and lang in self.languages
            )
        )
        return ("hours", *utc_window(e)), ("language", langs), ("culture", e.country, e.region)

    # -- scoring ------------------------------------------------------------------------------
    def scores(self, e: Participant) -> np.ndarray:
        """Score of every mentor (table order) for executive `e`; -inf where a hard rule forbids."""
        if e.opted_out:
            return np.full(self.size, NEG)
        hours, language, culture = (self._part(key) for key in self._block_keys_of(e))
        s = np.repeat(hours + language + culture, self.counts)
        self._add_personal_terms(e, s)
        for positions in self._blocked(e).values():
            s[positions] = NEG
        return s

    def _add_personal_terms(self, e: Participant, s: np.ndarray) -> None:
        shares = self.rules.shares
        if e.function:
            s += self._column(("other_function", e.function.lower()))
        constant = 0.0
        for name in STYLE_FIELDS:
            value = getattr(e, name)
            if value is None:
                constant += shares["communication"] / len(STYLE_FIELDS)
            else:
                s += self._column(("style", name, value))
        if constant:
            s += np.float32(constant)
        goals = list(dict.fromkeys(e.learning_goals))
        if goals:
            covered = self._column(("expertise", goals[0])).copy()
            for goal in goals[1:]:
                covered += self._column(("expertise", goal))
            covered *= np.float32(shares["goals"] / len(goals))
            s += covered
        for tag in sorted(e.domain):
            if tag in self._hopes:
                s += self._column(("aspiration", tag))
        self._add_personality(e, s)

    def _add_personality(self, e: Participant, s: np.ndarray) -> None:
        """One cached column per (rule trait, the executive's mean): means take 17 values, so few columns."""
        share = self.rules.shares["personality"]
        if not share:
            return
        if e.personality is None:
            s += np.float32(share * PERSONALITY_NEUTRAL)
            return
        for rule, (trait, _alike) in enumerate(PERSONALITY_RULE):
            s += self._column(("personality", str(rule), repr(float(e.personality[trait]))))

    def _blocked(self, e: Participant) -> dict[str, np.ndarray]:
        """Positions of mentors a sparse rule forbids for `e`, by rule code."""
        empty = np.empty(0, dtype=np.int64)
        chain = [self.position[a] for a in (e.employee_id, *e.ancestors) if a in self.position]
        line = np.concatenate([self._below.get(e.employee_id, empty), np.asarray(chain, dtype=np.int64)])
        peers = self._peers.get(e.manager_id, empty) if e.manager_id is not None else empty
        return {
            "excluded": self._excluded.get(e.employee_id, empty),
            "past_pair": self._past.get(e.employee_id, empty),
            "reporting_line": line,
            "peer_of_direct_report": peers,
        }

    def rule_breakdown(self, e: Participant) -> tuple[dict[str, int], np.ndarray]:
        """How many mentors each rule rules out first (in `RULES` order), and the positions left."""
        if e.opted_out:
            return {"opted_out": self.size + self.opted_out_count}, np.empty(0, dtype=np.int64)
        alive = np.ones(self.size, dtype=bool)
        counts = {"opted_out": self.opted_out_count}
        for code, positions in self._blocked(e).items():
            hit = np.unique(positions[alive[positions]])
            counts[code] = len(hit)
            alive[hit] = False
        hours, language, _ = (self._part(key) for key in self._block_keys_of(e))
        for code, part in (("no_common_language", language), ("hours_overlap", hours)):
            ok_each = np.repeat(part > NEG, self.counts)
            counts[code] = int(np.count_nonzero(alive & ~ok_each))
            alive &= ok_each
        return counts, np.flatnonzero(alive)


def ranked_mentors(executive: Participant, mentors: Sequence[Participant], rules: ProgrammeRules) -> list[Participant]:
    """The mentors the hard rules allow for `executive`, best score first, scored in one batched pass."""
    table = MentorTable(mentors, rules, [executive])
    scores = table.scores(executive)
    order = np.argsort(-scores, kind="stable")
    return [mentors[int(table.orig[i])] for i in order.tolist() if np.isfinite(scores[i])]
