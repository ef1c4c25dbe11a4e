"""`flipside bench pages`: HR's pages and their API twins at cohort scale, timed on the server side.

The scenario (built in bulk, not timed): one organisation of N synthetic employees (the demo's workforce
generator, through the roster service as a sync stores them); a completed pilot that started 25 months
ago with a fifth of the then-employed juniors paired to executives (what the impact page measures); a
running cohort of P pairs, panels of three, with a logged session for most pairs (two thirds confirmed,
some cancelled by the executive); and the next cohort in match review with P proposals.

Each page is requested in-process through the Flask test client as a signed-in HR admin (the API twins
with an API token), once to warm up and then R times; `server ms` is the wall time of the request inside
the app, the HTML (or JSON) size is the body's. The same run times `GET /healthz` as the floor every
request pays, and the impact computation alone (`impact_s`, the service call the impact page and its API
make, cold: nothing is cached).
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select

from bench.enrol import bench_settings
from plugin import create_app, migration_state
from plugin.config import Settings
from plugin.db import db
from plugin.demo.workforce import load_synthetic_workforce
from plugin.domain.impact import add_months
from plugin.models import Employee, Pair, Participant, Programme, SessionLog
from plugin.services import admin_login, api_tokens, impact, matching
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant

MENTOR_MAX_LEVEL = 2
EXECUTIVE_MIN_LEVEL = 6  # senior leaders: the synthetic workforce has ~2,000 at 100,000 employees
PANEL = 3
CSRF = "bench-csrf"
TARGET_P95_MS, TARGET_KB, TARGET_IMPACT_S = 200.0, 300.0, 2.0


@dataclass(frozen=True)
class World:
    organisation_id: int
    employees: int
    pilot_id: int
    cohort_id: int
    review_id: int
    pairs: int
    proposals: int
    api_token: str


@dataclass(frozen=True)
class Timing:
    page: str
    path: str
    status: int
    p50_ms: float
    p95_ms: float
    kb: float


def _employed(row, day: date) -> bool:
    hired, left = row.hire_date, row.termination_date
    return bool(hired and hired <= day and (left is None or left > day))


def _ids(tenant: Tenant, day: date) -> tuple[list[int], list[int], list[int], list[int]]:
    """(juniors employed on `day`, executives employed on `day`, juniors active now, executives active now)."""
    rows = tenant.session.execute(
        select(Employee.id, Employee.job_level, Employee.hire_date, Employee.termination_date, Employee.active)
    ).all()
    juniors = [r for r in rows if (r.job_level or 99) <= MENTOR_MAX_LEVEL]
    executives = [r for r in rows if (r.job_level or 0) >= EXECUTIVE_MIN_LEVEL]
    return (
        [r.id for r in juniors if _employed(r, day)],
        [r.id for r in executives if _employed(r, day)],
        [r.id for r in juniors if r.active],
        [r.id for r in executives if r.active],
    )


def _programme(tenant: Tenant, **fields) -> Programme:
    programme = tenant.add(Programme(cadence_days=14, topics=["AI"], mentors_per_executive=PANEL, **fields))
    tenant.session.flush()
    return programme


def _pairs(tenant: Tenant, programme: Programme, mentors, executives, status: str, approved: datetime | None):
    """Participants and pairs in bulk: each executive gets up to PANEL mentors."""
    org = tenant.organisation_id
    chosen = [(m, executives[n // PANEL]) for n, m in enumerate(mentors) if n // PANEL < len(executives)]
    people = {m: "mentor" for m, _ in chosen} | {e: "mentee" for _, e in chosen}
    tenant.session.execute(
        insert(Participant),
        [
            dict(organisation_id=org, programme_id=programme.id, employee_id=e, role=r, opted_in=True)
            for e, r in people.items()
        ],
    )
    reasons = [
        {"criterion": "goals", "score": 0.9, "text": "One of you knows what the other wants to learn"},
        {"criterion": "hours", "score": 0.8, "text": "Your working hours overlap"},
        {"criterion": "culture", "score": 0.7, "text": "You bring different cultural perspectives"},
    ]
    tenant.session.execute(
        insert(Pair),
        [
            dict(
                organisation_id=org,
                programme_id=programme.id,
                mentor_employee_id=m,
                mentee_employee_id=e,
                score=0.5 + (n % 50) / 100,
                explanation=reasons,
                status=status,
                approved_at=approved,
                locked=False,
                extensions=0,
                end_reason="",
            )
            for n, (m, e) in enumerate(chosen)
        ],
    )
    return len(chosen)


def _sessions(tenant: Tenant, cohort: Programme, today: date, rng: random.Random) -> int:
    """A logged session for four pairs in five: two thirds confirmed, one in ten cancelled by the executive."""
    pair_ids = tenant.session.scalars(select(Pair.id).where(Pair.programme_id == cohort.id)).all()
    rows = []
    for pair_id in pair_ids:
        if rng.random() >= 0.8:
            continue
        draw = rng.random()
        status = "cancelled" if draw < 0.1 else "confirmed" if draw < 0.7 else "logged"
        rows.append(
            dict(
                organisation_id=tenant.organisation_id,
                pair_id=pair_id,
                held_on=today - timedelta(days=rng.randint(1, 40)),
                minutes=45,
                topics=["ai"],
                status=status,
                logged_by_role="mentor",
                confirmed_at=datetime.now(UTC) if status == "confirmed" else None,
                cancelled_by_role="mentee" if status == "cancelled" else None,
            )
        )
    if rows:
        tenant.session.execute(insert(SessionLog), rows)
    return len(rows)


def build_world(employees: int, pairs: int, seed: int, today: date) -> World:
    """The organisation, its workforce and its three programmes, committed (inside an app context)."""
    org = create_organisation(db.session, f"bench-{uuid.uuid4().hex[:8]}", "Bench Pages")
    db.session.commit()
    load_synthetic_workforce(org.id, employees, seed)
    tenant = Tenant(db.session, org.id)
    rng = random.Random(seed)
    start = add_months(today, -25)
    then_juniors, then_executives, juniors, executives = _ids(tenant, start)
    pilot = _programme(tenant, name="Pilot (synthetic)", status="completed", starts_on=start)
    taking_part = [j for j in then_juniors if rng.random() < 0.2]
    _pairs(tenant, pilot, taking_part, then_executives, "completed", datetime.combine(start, datetime.min.time(), UTC))
    cohort = _programme(tenant, name="Cohort 2027", status="active", starts_on=today - timedelta(days=45))
    rng.shuffle(juniors)
    rng.shuffle(executives)
    running = _pairs(tenant, cohort, juniors[:pairs], executives, "active", datetime.now(UTC) - timedelta(days=45))
    _sessions(tenant, cohort, today, rng)
    review = _programme(tenant, name="Cohort 2028", status="matching")
    proposed = _pairs(tenant, review, juniors[pairs : 2 * pairs], executives[::-1], "proposed", None)
    matching.programme_people(tenant, review)  # the profiles the matching run that proposed them would have made
    token = api_tokens.issue(tenant, "bench pages")
    db.session.commit()
    return World(org.id, employees, pilot.id, cohort.id, review.id, running, proposed, token)


def pages(world: World) -> list[tuple[str, str, bool]]:
    """(name, path, is_api) of every page measured."""
    c, r, p = world.cohort_id, world.review_id, world.pilot_id
    return [
        ("dashboard", "/admin/", False),
        ("match review", f"/admin/programmes/{r}/matches", False),
        ("participants", f"/admin/programmes/{c}/participants", False),
        ("pair health", f"/admin/programmes/{c}/health", False),
        ("pair health (all programmes)", "/admin/pairs/health", False),
        ("impact", f"/admin/programmes/{p}/impact", False),
        ("API programmes", "/api/v1/programmes", True),
        ("API pairs", f"/api/v1/programmes/{c}/pairs", True),
        ("API proposals", f"/api/v1/programmes/{r}/pairs", True),
        ("API pair health", f"/api/v1/programmes/{c}/pair-health", True),
        ("API impact", f"/api/v1/programmes/{p}/impact", True),
    ]


def _time(client, path: str, headers: dict, repeat: int) -> tuple[int, list[float], int]:
    client.get(path, headers=headers)  # warm-up: templates compiled, caches filled as in a running server
    times, status, size = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        status, size = answer.status_code, len(answer.get_data())
    return status, times, size


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(settings: Settings, *, employees: int, pairs: int, repeat: int, seed: int = 5) -> dict:
    """Build the world, then time every page; returns the figures."""
    settings = bench_settings(settings)
    migration_state.upgrade(settings.resolved_database_url)
    app = create_app(settings)
    today = date.today()
    with app.app_context():
        built = time.perf_counter()
        world = build_world(employees, pairs, seed, today)
        build_s = time.perf_counter() - built
        tenant = Tenant(db.session, world.organisation_id)
        started = time.perf_counter()
        impact.programme_impact(tenant, world.pilot_id, today)
        impact_s = time.perf_counter() - started
        db.session.close()
    client = app.test_client()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(world.organisation_id)
        s["csrf_token"] = CSRF
    api = {"Authorization": f"Bearer {world.api_token}"}
    timings = []
    status, floor, _ = _time(client, "/healthz", {}, repeat)
    for name, path, is_api in pages(world):
        status, times, size = _time(client, path, api if is_api else {}, repeat)
        timings.append(Timing(name, path, status, statistics.median(times), _p95(times), size / 1024))
    return {
        "world": world,
        "build_s": build_s,
        "impact_s": impact_s,
        "floor_p95_ms": _p95(floor),
        "timings": timings,
        "p95_ms": max(t.p95_ms for t in timings),
        "max_kb": max(t.kb for t in timings),
        "errors": sum(1 for t in timings if t.status != 200),
    }


def table(figures: dict) -> Table:
    world = figures["world"]
    out = Table(
        title=f"{world.employees:,} employees, {world.pairs:,} running pairs, {world.proposals:,} proposals "
        f"(built in {figures['build_s']:.1f} s)"
    )
    for column in ("page", "path", "status", "p50 ms", "p95 ms", "kB"):
        out.add_column(column, justify="left" if column in ("page", "path") else "right")
    for t in figures["timings"]:
        out.add_row(t.page, t.path, str(t.status), f"{t.p50_ms:.1f}", f"{t.p95_ms:.1f}", f"{t.kb:.1f}")
    out.add_row("floor (GET /healthz)", "/healthz", "", "", f"{figures['floor_p95_ms']:.1f}", "")
    return out


def verdict(figures: dict) -> str:
    met = (
        figures["p95_ms"] <= TARGET_P95_MS,
        figures["max_kb"] <= TARGET_KB,
        figures["impact_s"] <= TARGET_IMPACT_S,
        figures["errors"] == 0,
    )
    return (
        f"targets: worst p95 {figures['p95_ms']:.1f} ms (<= {TARGET_P95_MS:.0f}) {'met' if met[0] else 'MISSED'}; "
        f"largest page {figures['max_kb']:.1f} kB (<= {TARGET_KB:.0f}) {'met' if met[1] else 'MISSED'}; "
        f"impact {figures['impact_s']:.2f} s (<= {TARGET_IMPACT_S:.0f}) {'met' if met[2] else 'MISSED'}; "
        f"{figures['errors']} page(s) not 200"
    )


def result_line(figures: dict) -> str:
    world = figures["world"]
    return (
        f"RESULT employees={world.employees} pairs={world.pairs} p95_ms={figures['p95_ms']:.1f} "
        f"max_kb={figures['max_kb']:.1f} impact_s={figures['impact_s']:.3f} "
        f"baseline_p95_ms={figures['floor_p95_ms']:.1f} errors={figures['errors']}"
    )


def print_report(figures: dict, console: Console) -> None:
    console.print(table(figures))
    console.print(verdict(figures))
