"""`flipside bench ...`: benchmark scenarios; each prints a table and ends with one line `RESULT key=value ...`."""

from __future__ import annotations

import click

from . import _settings, main


@main.group()
def bench():
    """Benchmarks: each prints a table and ends with one line `RESULT key=value ...`."""


@bench.command("enrol")
@click.option("--pairs", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--lms", type=click.Choice(["moodle", "canvas"]), default="moodle", show_default=True)
@click.option("--rate", default=50.0, show_default=True, help="Requests per second allowed per connection.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--path",
    type=click.Choice(["cohort", "per-pair"]),
    default="cohort",
    show_default=True,
    help="Queue as an approval does (batch jobs per course), or one job per pair (the baseline).",
)
def bench_enrol(pairs, lms, rate, workers, path):
    """Pairs enrolled per second against the LMS emulator with a shared rate limit."""
    from rich.console import Console

    from bench.enrol import report, run

    console = Console()
    figures = run(_settings(), pairs=pairs, lms=lms, rate=rate, workers=workers, console=console, path=path)
    click.echo(report(figures, lms=lms, rate=rate, workers=workers, console=console))


@bench.command("notify")
@click.option(
    "--messages",
    default=1000,
    show_default=True,
    type=click.IntRange(2, 100_000),
    help="Recipients of a pairing announcement (two per pair).",
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 16))
@click.option(
    "--smtp-port",
    default=6300,
    show_default=True,
    type=click.IntRange(1024, 65535),
    help="Port of the loopback SMTP server the benchmark starts.",
)
def bench_notify(messages, workers, smtp_port):
    """Pairing announcements through real workers to a loopback SMTP server; one worker SIGKILLed mid-run."""
    from rich.console import Console

    from bench.notify import report, run

    console = Console()
    figures = run(_settings(), messages=messages, workers=workers, port=smtp_port)
    click.echo(report(figures, workers=workers, console=console))


@bench.command("launch")
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--seconds", default=5.0, show_default=True, help="Duration of each run.")
@click.option(
    "--clients", default=2, show_default=True, type=click.IntRange(1, 64), help="Browser-like client processes."
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn workers.")
def bench_launch(runs, seconds, clients, workers):
    """Full OIDC login + launch round trips against gunicorn, beside a bare pylti1p3 tool."""
    from bench.launch import run

    run(runs=runs, seconds=seconds, clients=clients, workers=workers, echo=click.echo)


@bench.command("sync")
@click.option("--vendor", type=click.Choice(["bamboohr", "workday"]), default="bamboohr", show_default=True)
@click.option("--employees", default=100_000, show_default=True, type=click.IntRange(10, 200_000))
@click.option(
    "--changed",
    default=1000,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Changes applied in the emulator before the incremental sync.",
)
@click.option(
    "--baseline-sample",
    default=2000,
    show_default=True,
    type=click.IntRange(1, 200_000),
    help="Employees fetched one GET each for the baseline.",
)
def bench_sync(vendor, employees, changed, baseline_sample):
    """Full sync from a loopback emulator (own process) into the configured database, then an incremental one."""
    from dataclasses import asdict

    from rich.console import Console
    from rich.table import Table

    from bench.sync import run

    from .. import create_app, migration_state

    settings = _settings(log_level="WARNING")
    migration_state.upgrade(settings.resolved_database_url)
    figures = asdict(run(create_app(settings), vendor, employees, changed, baseline_sample))
    table = Table("measure", "value", title=f"sync bench ({vendor})")
    for key, value in figures.items():
        table.add_row(key, str(value))
    Console().print(table)
    keys = (
        "employees",
        "employees_per_s",
        "peak_rss_mb",
        "incremental_changes",
        "incremental_s",
        "baseline_employees_per_s",
    )
    click.echo("RESULT " + " ".join(f"{k}={figures[k]}" for k in keys))


@bench.command("match")
@click.option("--executives", default=2000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--juniors", default=20000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--k", default=3, show_default=True, type=click.IntRange(1, 3), help="Mentors per executive.")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--repeat", default=3, show_default=True, type=click.IntRange(1, 20), help="Runs; medians reported.")
@click.option(
    "--function-mix",
    type=click.Choice(["none", "at_least_one_other", "exactly_one_own"]),
    default="none",
    show_default=True,
)
@click.option("--no-certify", is_flag=True, help="Skip the proof of optimality over every feasible pair.")
@click.option("--weights", default="", help="Criterion weights over the defaults, e.g. personality=1,goals=2.")
@click.option(
    "--answered",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of people who took the personality questionnaire.",
)
def bench_match(executives, juniors, k, seed, repeat, function_mix, no_certify, weights, answered):
    """Candidate generation + solve end to end, beside a greedy baseline, each in a fresh process."""
    from bench.match import parse_weights, result_line, run, table

    try:
        chosen = parse_weights(weights)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--weights") from None
    figures = run(
        executives,
        juniors,
        k,
        seed,
        repeat=repeat,
        function_mix=function_mix,
        certify=not no_certify,
        weights=chosen,
        answered=answered,
    )
    click.echo(table(figures))
    click.echo(result_line(figures))


@bench.command("pages")
@click.option("--employees", default=100_000, show_default=True, type=click.IntRange(100, 1_000_000))
@click.option("--pairs", default=5000, show_default=True, type=click.IntRange(1, 100_000), help="Running pairs.")
@click.option("--repeat", default=20, show_default=True, type=click.IntRange(1, 1000), help="Requests per page.")
@click.option("--seed", default=5, show_default=True, type=int)
def bench_pages(employees, pairs, repeat, seed):
    """HR's pages and their API twins at cohort scale: p95 server time, page size, impact time."""
    from rich.console import Console

    from bench.pages import print_report, result_line, run

    figures = run(_settings(log_level="WARNING"), employees=employees, pairs=pairs, repeat=repeat, seed=seed)
    print_report(figures, Console())
    click.echo(result_line(figures))


@bench.command("webhooks")
@click.option("--seconds", default=30.0, show_default=True, help="Duration of each target's load.")
@click.option("--connections", default=16, show_default=True, type=click.IntRange(1, 256), help="Concurrent senders.")
@click.option(
    "--resend-rate",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of deliveries sent again, as BambooHR's retries.",
)
@click.option("--employees", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Worker processes that drain the inbox afterwards.",
)
@click.option(
    "--processes",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Client processes the senders are spread over.",
)
@click.option(
    "--port",
    default=0,
    show_default=True,
    type=click.IntRange(0, 65534),
    help="Flipside's port (the bare app takes the next); 0: free ports.",
)
@click.option(
    "--rounds",
    default=3,
    show_default=True,
    type=click.IntRange(1, 20),
    help="Alternating slices each target's seconds are split into.",
)
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per gunicorn worker for both servers (1: sync workers).",
)
def bench_webhooks(seconds, connections, resend_rate, employees, workers, processes, port, rounds, threads):
    """Signed BambooHR deliveries with resends against gunicorn, beside a bare HMAC-only app; then drained."""
    from rich.console import Console
    from rich.table import Table

    from bench.webhooks import result_line, run

    figures = run(
        _settings(log_level="WARNING"),
        seconds=seconds,
        connections_=connections,
        resend_rate=resend_rate,
        employees=employees,
        workers=workers,
        processes=processes,
        port=port,
        rounds=rounds,
        threads=threads,
    )
    table = Table("measure", "value", title="webhook ingest bench")
    for key, value in figures.items():
        table.add_row(key, str(value))
    Console(width=160).print(table)
    click.echo(result_line(figures))


@bench.command("faults")
@click.option(
    "--profile",
    "profile_name",
    type=click.Choice(["short", "full"]),
    default="short",
    show_default=True,
    help="short: 1,000 employees (CI); full: 10,000.",
)
@click.option("--seed", default=1, show_default=True, type=int)
def bench_faults(profile_name, seed):
    """The fault suite: kills, outages, vendor faults, bad data, a disappearance, webhooks (exit 1 unless clean)."""
    import os

    from bench.enrol import bench_settings
    from bench.fault_checks import passed, result_line
    from bench.faults import PROFILES, run

    from .. import create_app, migration_state

    settings = bench_settings(_settings(log_level="WARNING"))
    migration_state.upgrade(settings.resolved_database_url)
    log_path = os.path.join(os.path.abspath(settings.instance_path), f"{settings.queue_prefix}-workers.log")
    click.echo(f"fault suite, profile {profile_name}; worker logs in {log_path}")
    with create_app(settings).app_context() as ctx:
        tally, timings = run(ctx.app, settings, PROFILES[profile_name], seed=seed, log_path=log_path, echo=click.echo)
    figures = tally.result()
    _faults_table(profile_name, tally, timings, figures)
    click.echo(result_line(figures))
    if not passed(figures):
        raise SystemExit(1)


def _faults_table(profile_name, tally, timings, figures) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("measure", "value", title=f"fault suite ({profile_name})")
    for name, seconds in timings:
        table.add_row(f"phase {name} (s)", str(seconds))
    for key, value in figures.items():
        table.add_row(key, str(value))
    samples = {
        "false deactivations (sample)": sorted(tally.false_deactivated)[:8],
        "nulled values (sample)": sorted(tally.nulled)[:5],
        "lost webhook changes (sample)": sorted(tally.lost_webhook_changes)[:8],
        "final differences": f"{len(tally.final_differences)} {sorted(tally.final_differences)[:8]}",
        "duplicated: LMS writes / deliveries stored twice": f"{tally.duplicate_vendor_writes} / "
        f"{tally.duplicate_deliveries}"
        f" {tally.duplicate_kinds or ''}",
        "pairs enrolled": f"{tally.pairs_enrolled}/{tally.pairs_requested}",
        "jobs left in queues": tally.left_in_queues,
    }
    for key, value in samples.items():
        table.add_row(key, str(value))
    for note in tally.notes:
        table.add_row("note", note)
    Console(width=160).print(table)
