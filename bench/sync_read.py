"""Read-throughput scenario: a full read of N employees from a loopback emulator through the real connector.

    python -m bench.sync_read bamboohr 100000 [--bulk custom_report|dataset]
    python -m bench.sync_read workday 100000

Prints a table and ends with `RESULT employees=... employees_per_s=... peak_rss_mb=... base_rss_mb=...`.
Run it in a fresh process: peak RSS includes the emulator's own copy of the workforce, which is
why `base_rss_mb` (after the workforce is built and served, before the read) is printed too.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import time
from datetime import date, timedelta

from plugin.connectors.bamboohr import BambooHRConnector
from plugin.connectors.workday import WorkdayConnector
from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.emulators.workday import WorkdayEmulator

DEPARTMENTS = ("Engineering", "Sales", "Finance", "People", "Marketing", "Support", "Legal")
LANGUAGES = ("English", "French", "German", "Spanish", "Japanese", "Portuguese")
REFRESH_TOKEN = "bench-isu-refresh-token"  # noqa: S105 - the loopback emulator's, not a secret


def make_workforce(n: int, source_system: str, *, seed: int = 7) -> list[EmployeeRecord]:
    """A plain synthetic workforce (a stand-in until the domain's workforce generator is available)."""
    rng = random.Random(seed)
    prefix = "w" if source_system == "workday" else ""
    people = []
    for i in range(1, n + 1):
        terminated = rng.random() < 0.05
        people.append(
            EmployeeRecord(
                source_system=source_system,
                source_id=f"{prefix}{i}",
                employee_number=f"E{i:06d}",
                first_name=f"First{i}",
                last_name=f"Last{i % 997}",
                work_email=f"person{i}@example.com",
                job_title=f"Title {i % 40}",
                job_level=rng.randint(1, 9),
                department=rng.choice(DEPARTMENTS),
                division="Global",
                location="London",
                country="GB",
                manager_source_id=f"{prefix}{max(1, i // 8)}" if i > 1 else None,
                employment_status=EmploymentStatus.TERMINATED if terminated else EmploymentStatus.ACTIVE,
                hire_date=date(2015, 1, 1) + timedelta(days=i % 3000),
                termination_date=date(2025, 6, 30) if terminated else None,
                languages=tuple(rng.sample(LANGUAGES, 2)),
                expertise=("python", "sql"),
            )
        )
    return people


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emulator(vendor: str, n: int):
    if vendor == "bamboohr":
        return BambooHREmulator(make_workforce(n, vendor))
    return WorkdayEmulator(make_workforce(n, vendor), refresh_token=REFRESH_TOKEN)


def _serve(vendor: str, n: int, ready, stop) -> None:
    emulator = _emulator(vendor, n).start()
    ready.put(emulator.base_url)
    stop.wait()
    emulator.stop()


def connector_for(vendor: str, base_url: str, *, bulk: str = "custom_report"):
    """The real connector pointed at an emulator's origin, with the emulators' default credentials."""
    if vendor == "bamboohr":
        return BambooHRConnector("acme", api_key="key", origin=base_url, bulk=bulk)
    oauth = WorkdayConnector.oauth_client(
        "wd",
        "acme",
        client_id="client",
        client_secret="secret",  # noqa: S106
        refresh_token=REFRESH_TOKEN,
        origin=base_url,
    )
    return WorkdayConnector("wd", "acme", oauth=oauth, report="isu_flipside/Workers", origin=base_url)


def read_scenario(vendor: str, n: int, *, bulk: str = "custom_report", separate: bool = True) -> dict:
    """Full read of `n` employees; the emulator runs in its own process unless `separate` is False."""
    if not separate:
        emulator = _emulator(vendor, n).start()
        try:
            return _timed(connector_for(vendor, emulator.base_url, bulk=bulk), n)
        finally:
            emulator.stop()
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=_serve, args=(vendor, n, ready, stop), daemon=True)
    child.start()
    try:
        base_url = ready.get(timeout=300)
        return _timed(connector_for(vendor, base_url, bulk=bulk), n)
    finally:
        stop.set()
        child.join(timeout=10)


def _timed(connector, n: int) -> dict:
    base = _rss_mb()
    started = time.perf_counter()
    records = rejected = 0
    for item in connector.iter_employees():
        if isinstance(item, EmployeeRecord):
            records += 1
        else:
            rejected += 1
    seconds = time.perf_counter() - started
    return {
        "employees": records,
        "rejected": rejected,
        "seconds": round(seconds, 3),
        "employees_per_s": round(records / seconds),
        "base_rss_mb": round(base, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
        "expected": n,
    }


def main(argv: list[str] | None = None) -> dict:
    """Run one scenario from the command line and print its RESULT line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vendor", choices=("bamboohr", "workday"))
    parser.add_argument("employees", type=int, nargs="?", default=100_000)
    parser.add_argument("--bulk", default="custom_report", choices=("custom_report", "dataset"))
    parser.add_argument("--same-process", action="store_true", help="run the emulator in this process")
    args = parser.parse_args(argv)
    result = read_scenario(args.vendor, args.employees, bulk=args.bulk, separate=not args.same_process)
    for key, value in result.items():
        print(f"{key:>16}  {value}")
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()))
    return result


if __name__ == "__main__":
    main()
