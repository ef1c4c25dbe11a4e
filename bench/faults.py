"""`flipside bench faults`: the fault suite. Real worker processes, loopback emulators, proxies it cuts.

    flipside bench faults --profile short      # PostgreSQL + Redis from DATABASE_URL / REDIS_URL, or embedded

Phases, in order, against one BambooHR emulator (20% of its answers 429, 503 or slow 503 from the storm on)
and one Moodle emulator:
1. baseline: a clean full sync; a programme's pairs are made of synced employees.
2. storm: the vendor spoils a slice of rows (impossible hire dates; department and job title left out)
   and 1% of the staff really leave; a full sync and the pairs' enrolment start, every worker is SIGKILLed
   mid-way and new ones are started; the database goes away for 5 s; then N signed webhooks (5% sent
   twice) announce job-title changes while Redis is unreachable for 10 s. The suite waits for the jobs.
3. disappearance: 10% of the staff vanish from the vendor's answers (they did not leave) and a full
   sync runs; a run held for approval is rejected with `flipside sync reject RUN`, as HR would.
4. convergence: the vendor heals its data, faults stop, one full sync runs; the store must equal the truth.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from plugin.emulators.state import Faults

from .fault_checks import Tally, false_deactivations, lost_changes, nulled_values
from .fault_webhooks import storm
from .fault_world import FaultyBambooHR


@dataclass(frozen=True)
class Profile:
    """Sizes and patience of one run."""

    employees: int
    webhooks: int
    pairs: int
    workers: int
    row_delay_s: float  # per row served: makes a full read last long enough to be killed mid-way
    settle_s: float  # how long the storm's jobs get to finish (covers orphan recovery after the kills)
    budget_s: float  # no wait goes past this many seconds from the start (the phases' own work still runs)


PROFILES = {
    "short": Profile(employees=1000, webhooks=2000, pairs=30, workers=2, row_delay_s=0.005, settle_s=170, budget_s=250),
    "full": Profile(
        employees=10_000, webhooks=2000, pairs=200, workers=3, row_delay_s=0.001, settle_s=420, budget_s=1200
    ),
}


@dataclass(frozen=True)
class Slices:
    """Which employees each fault touches (disjoint, drawn from the active staff with a seed)."""

    leavers: list[str]
    bad_dates: list[str]
    missing: list[str]
    hidden: list[str]
    pair_people: list[str]
    webhook_targets: list[str]


def slices(emulator: FaultyBambooHR, profile: Profile, seed: int) -> Slices:
    """Draw the slices: 1% leavers, 2% bad dates, 5% missing fields, 10% hidden, pairs, webhook targets."""
    active = sorted((i for i, p in emulator.truth().items() if p.active), key=int)
    rng = random.Random(seed)
    rng.shuffle(active)
    n = len(active)
    cuts = [max(1, n // 100), max(1, n // 50), max(1, n // 20), max(1, n // 10), 2 * profile.pairs]
    out, start = [], 0
    for size in cuts:
        out.append(active[start : start + size])
        start += size
    hidden_and_pairs = set(out[3]) | set(out[4])
    targets = [i for i in active[start:] if i not in hidden_and_pairs]
    return Slices(*out, webhook_targets=targets)


def storm_faults(seed: int) -> Faults:
    """20% of vendor answers: 429 or 503 with Retry-After 0, or a 503 after a 1 s stall."""
    return Faults(rate=0.2, seed=seed, hang=1.0)


def phase_baseline(world, profile: Profile, tally: Tally) -> None:
    """A clean full sync, then the programme's pairs out of the synced staff."""
    started = world.enqueue_full_sync()
    world.wait_for(lambda: world.run_finished_since(started), timeout=120, what="the baseline sync")
    world.settle(deadline=time.monotonic() + 60)
    world.make_pairs(world.slices.pair_people)


def phase_storm(world, profile: Profile, tally: Tally) -> None:
    """Spoilt rows, real leavers, kills mid sync and enrolment, a database and a Redis outage, webhooks."""
    hr = world.hr
    _spoil(world)
    hr.row_delay, served = profile.row_delay_s, hr.rows_served
    started = world.enqueue_full_sync()
    world.enqueue_enrolments()
    world.wait_for(
        lambda: world.run_running_since(started) and hr.rows_served - served > profile.employees // 3,
        timeout=60,
        what="a full sync a third of the way through",
    )
    world.kill_workers()
    world.note(
        f"SIGKILL {profile.workers} workers + work horses at row {hr.rows_served - served} of the full read, "
        f"{world.pairs_enrolled()}/{len(world.pair_ids)} pairs enrolled"
    )
    hr.row_delay = 0.0
    world.note(world.rig.database_outage(5))
    outage = world.rig.redis.outage_in_background(10, delay=2)
    sent = storm(hr, world.hook_id, world.webhook_url, world.slices.webhook_targets, profile.webhooks, seed=world.seed)
    outage.join()
    world.note(f"Redis unreachable {world.rig.redis.outages[-1]:g} s (proxy) during the webhooks")
    world.note(f"webhooks: {sent.sent} sent, {sent.resent} resent, answers {dict(sent.answers)}")
    world.settle(deadline=world.killed_at + profile.settle_s)
    truth, stored = hr.truth(), world.stored()
    tally.false_deactivated |= false_deactivations(truth, stored)
    tally.nulled |= nulled_values(truth, stored)
    tally.lost_webhook_changes |= lost_changes(sent.changes, stored)
    tally.duplicate_deliveries += max(world.deliveries_stored() - len(sent.distinct_bodies), 0)


def _spoil(world) -> None:
    """Vendor faults on; bad dates and missing fields on their slices; the leavers really leave."""
    hr, cut = world.hr, world.slices
    hr.faults = world.storm_faults = storm_faults(world.seed)
    hr.spoil(cut.bad_dates, cut.missing)
    for source_id in cut.leavers:
        hr.terminate(source_id)


def phase_disappearance(world, profile: Profile, tally: Tally) -> None:
    """10% of the staff vanish from the vendor's answers; nobody may be deactivated without HR's say."""
    world.replace_dead_workers()
    world.hr.hide(world.slices.hidden)
    started = world.enqueue_full_sync()
    world.wait_for(lambda: world.run_finished_since(started), timeout=90, what="the disappearance sync")
    for run_id in world.runs_needing_approval():
        world.note(world.decide(run_id, "reject"))
    world.settle(deadline=time.monotonic() + 60)
    tally.false_deactivated |= false_deactivations(world.hr.truth(), world.stored())
    world.hr.lost.clear()


def phase_convergence(world, profile: Profile, tally: Tally) -> None:
    """The vendor heals, faults stop, one more full sync: the store must now equal the truth."""
    world.replace_dead_workers()
    world.hr.faults = Faults()
    world.hr.heal()
    started = world.enqueue_full_sync()
    world.wait_for(lambda: world.run_finished_since(started), timeout=120, what="the final sync")
    world.settle(deadline=time.monotonic() + 60)
    truth, stored = world.hr.truth(), world.stored()
    tally.false_deactivated |= false_deactivations(truth, stored)
    tally.nulled |= nulled_values(truth, stored)
    world.final_tally(tally, truth, stored)


PHASES = (
    ("baseline", phase_baseline),
    ("storm", phase_storm),
    ("disappearance", phase_disappearance),
    ("convergence", phase_convergence),
)


def run(app, settings, profile: Profile, *, seed: int, log_path: str, echo) -> tuple[Tally, list[tuple]]:
    """Run every phase once; returns the tally and (phase, seconds) timings."""
    from .fault_scene import Scene

    tally, timings = Tally(), []
    world = Scene(app, settings, profile, seed, log_path, echo)
    try:
        world.build()
        world.slices = slices(world.hr, profile, seed)
        for name, phase in PHASES:
            echo(f"phase {name}")
            started = time.monotonic()
            phase(world, profile, tally)
            timings.append((name, round(time.monotonic() - started, 1)))
        tally.notes = world.notes + [
            f"sync runs by status: {world.run_statuses()}",
            f"workers SIGKILLed by the suite: {world.fleet.killed}; exited by themselves: {world.fleet.died}",
            f"vendor faults injected in the storm: {world.storm_faults.injected}",
        ]
    finally:
        world.close()
    return tally, timings
