"""`flipside bench match`: candidate generation + solve, end to end, on a synthetic programme.

Each contender (the solver, then the greedy baseline) runs in a fresh process so its peak memory
is its own; inside that process the synthetic programme is generated first (not timed, but its
memory counts: the input has to be in memory). `seconds` covers everything `solve` does:
candidate graph, min-cost flow (or CP-SAT), and the explanation of every pair and empty slot.
Both contenders share the candidate graph construction, so `greedy_score_ratio` (greedy total
score / optimal total score) shows what optimisation buys on the same short lists.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

RESULT_KEYS = (
    "executives",
    "juniors",
    "k",
    "seconds",
    "peak_rss_mb",
    "slots",
    "filled",
    "optimal",
    "greedy_filled",
    "greedy_score_ratio",
)


def _contender(
    name: str,
    executives: int,
    juniors: int,
    k: int,
    seed: int,
    function_mix: str,
    time_limit_s: float,
    weights: dict | None = None,
    answered: float = 0.0,
) -> dict:
    """Runs in a fresh process: build the programme, match it, report time, memory and quality.

    `name` is "solve" (the product path), "certify" (solve with pricing to a proof) or "greedy"."""
    from plugin.domain.matching import DEFAULT_WEIGHTS, ProgrammeRules, solve
    from plugin.domain.matching.greedy import greedy_match
    from plugin.domain.matching.synthetic import synthetic_programme, with_answers

    started = time.perf_counter()
    programme = synthetic_programme(executives, juniors, seed)
    if answered:
        programme = with_answers(programme, answered, seed)
    generated = time.perf_counter() - started
    rules = ProgrammeRules(
        k=k,
        distinct_countries=True,
        function_mix=function_mix,
        weights={**DEFAULT_WEIGHTS, **(weights or {})},
        exclusions=programme.exclusions,
        past_pairs=programme.past_pairs,
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    if name == "greedy":
        result = greedy_match(programme.executives, programme.mentors, rules)
    else:
        result = solve(
            programme.executives, programme.mentors, rules, time_limit_s=time_limit_s, certify=name == "certify"
        )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "generate_seconds": generated,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "slots": result.slots,
        "filled": result.filled,
        "total_score": result.total_score,
        "optimal": result.optimal,
        "certified": result.certified,
        "gap": result.gap,
        "method": result.method,
        **{f"{step}_seconds": value for step, value in result.timings.items() if step != "total"},
    }


def _fresh(name: str, *args) -> dict:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_contender, name, *args).result()


def _median_of(runs: list[dict]) -> dict:
    """The first run's answer, with the median of every timing and of peak memory."""
    merged = dict(runs[0])
    for key in merged:
        if key.endswith("seconds") or key == "peak_rss_mb":
            merged[key] = statistics.median(r[key] for r in runs)
    return merged


def run(
    executives: int = 2000,
    juniors: int = 20000,
    k: int = 3,
    seed: int = 1,
    *,
    repeat: int = 1,
    function_mix: str = "none",
    time_limit_s: float = 10.0,
    certify: bool = True,
    weights: dict | None = None,
    answered: float = 0.0,
) -> dict:
    """Benchmark the solver against greedy; the keys of `RESULT_KEYS` first, then extras.

    With `certify`, a third run proves the optimum over every feasible pair and the extras say how
    close the short-list optimum came to it. `weights` override the default criterion weights (say
    {"personality": 1.0}); `answered` is the share of people who took the personality questionnaire.
    """
    args = (executives, juniors, k, seed, function_mix, time_limit_s, weights, answered)
    best = _median_of([_fresh("solve", *args) for _ in range(repeat)])
    quick = _median_of([_fresh("greedy", *args) for _ in range(repeat)])
    result = _summary(executives, juniors, k, repeat, best, quick)
    if weights:
        result["weights"] = ",".join(f"{name}:{weight:g}" for name, weight in sorted(weights.items()))
    if answered:
        result["answered"] = answered
    if certify:
        proof = _fresh("certify", *args)
        result.update(
            certified=int(proof["certified"]),
            certified_seconds=round(proof["seconds"], 3),
            certified_total_score=round(proof["total_score"], 3),
            global_score_ratio=_ratio(best["total_score"], proof["total_score"], 6),
        )
    return result


def _summary(executives: int, juniors: int, k: int, repeat: int, best: dict, quick: dict) -> dict:
    return {
        "executives": executives,
        "juniors": juniors,
        "k": k,
        "seconds": round(best["seconds"], 3),
        "peak_rss_mb": round(best["peak_rss_mb"], 1),
        "slots": best["slots"],
        "filled": best["filled"],
        "optimal": int(best["optimal"]),
        "greedy_filled": quick["filled"],
        "greedy_score_ratio": _ratio(quick["total_score"], best["total_score"]),
        "cpu_seconds": round(best["cpu_seconds"], 3),
        "method": best["method"],
        "gap": round(best["gap"], 6),
        "total_score": round(best["total_score"], 3),
        "candidates_seconds": round(best["candidates_seconds"], 3),
        "solve_seconds": round(best["solve_seconds"], 3),
        "explain_seconds": round(best["explain_seconds"], 3),
        "greedy_seconds": round(quick["seconds"], 3),
        "greedy_peak_rss_mb": round(quick["peak_rss_mb"], 1),
        "greedy_total_score": round(quick["total_score"], 3),
        "generate_seconds": round(best["generate_seconds"], 3),
        "repeat": repeat,
    }


def _ratio(part: float, whole: float, digits: int = 4) -> float:
    return round(part / whole, digits) if whole else 1.0


def parse_weights(text: str) -> dict[str, float]:
    """`personality=1,goals=2` -> {"personality": 1.0, "goals": 2.0}; ValueError naming what is wrong."""
    from plugin.domain.matching import CRITERIA, DEFAULT_WEIGHTS, ProgrammeRules
    from plugin.errors import ValidationError

    weights = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in CRITERIA:
            raise ValueError(f"{item!r}: give criterion=weight, criteria {', '.join(CRITERIA)}")
        try:
            weights[name] = float(value)
        except ValueError:
            raise ValueError(f"{item!r}: the weight is not a number") from None
    try:
        ProgrammeRules(weights={**DEFAULT_WEIGHTS, **weights})
    except ValidationError as err:
        raise ValueError(f"{text!r}: {err.errors['weights']}") from None
    return weights


def result_line(result: dict) -> str:
    """The last line of the benchmark: `RESULT key=value ...`, numbers without units."""
    return "RESULT " + " ".join(f"{key}={value}" for key, value in result.items())


def table(result: dict) -> str:
    rows = [
        ("", "optimal solver", "greedy"),
        ("seconds", result["seconds"], result["greedy_seconds"]),
        ("peak RSS (MB)", result["peak_rss_mb"], result["greedy_peak_rss_mb"]),
        ("slots filled", f"{result['filled']} / {result['slots']}", f"{result['greedy_filled']} / {result['slots']}"),
        ("total score", result["total_score"], result["greedy_total_score"]),
        ("proof", f"{result['method']}, optimal={result['optimal']}, gap={result['gap']}", "none"),
    ]
    if "certified" in result:
        rows.append(
            (
                "over all pairs",
                f"certified={result['certified']} in {result['certified_seconds']} s, "
                f"score ratio {result['global_score_ratio']}",
                "",
            )
        )
    return "\n".join(f"{a:<16}{b!s:<36}{c!s}" for a, b, c in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench match", description=__doc__.splitlines()[0])
    parser.add_argument("--executives", type=int, default=2000)
    parser.add_argument("--juniors", type=int, default=20000)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--function-mix", default="none")
    parser.add_argument("--no-certify", action="store_true", help="skip the run proving global optimality")
    parser.add_argument("--weights", default="", help="criterion weights over the defaults, e.g. personality=1")
    parser.add_argument("--answered", type=float, default=0.0, help="share who took the personality questionnaire")
    opts = parser.parse_args(argv)
    try:
        weights = parse_weights(opts.weights)
    except ValueError as err:
        parser.error(str(err))
    if not 0.0 <= opts.answered <= 1.0:
        parser.error("--answered is a share from 0 to 1")
    result = run(
        opts.executives,
        opts.juniors,
        opts.k,
        opts.seed,
        repeat=opts.repeat,
        function_mix=opts.function_mix,
        certify=not opts.no_certify,
        weights=weights,
        answered=opts.answered,
    )
    print(table(result))
    print(result_line(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
