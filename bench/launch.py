"""`flipside bench launch`: full OIDC login + launch round trips against gunicorn on loopback.

Browser-like clients in separate processes each loop: POST the login, read state and nonce from the auth URL
(and keep the cookie), sign a fresh id_token as the platform, POST the launch. The same run measures a bare
pylti1p3 Flask tool (bench/bare_tool.py) as the baseline. Medians over the runs; p95 over every launch.
"""

from __future__ import annotations

import html
import http.client
import json
import multiprocessing
import os
import platform as pyplatform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER, CLIENT_ID, DEPLOYMENT_ID, KID = "https://lms.bench.test", "bench-client", "bench-dep", "bench-kid"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AUTH_URL = re.compile(r'data-auth-url="([^"]+)"')


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    login_path: str
    launch_path: str
    ok_status: int


@dataclass(frozen=True)
class RunResult:
    launches_per_s: float
    p95_ms: float
    errors: int
    launches: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _platform_key() -> tuple[bytes, dict]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return pem, {"keys": [dict(jwk, kid=KID, alg="RS256", use="sig")]}


def _claims(nonce: str, target_link_uri: str, user: int) -> dict:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": f"bench-user-{user}",
        "iat": now,
        "exp": now + 60,
        "nonce": nonce,
        "email": f"bench{user}@bench.example",
        "name": f"Bench {user}",
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": DEPLOYMENT_ID,
        CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        CLAIM + "target_link_uri": target_link_uri,
        CLAIM + "resource_link": {"id": "bench-link"},
    }


class Browser:
    """The part of a browser a launch needs: form POSTs over HTTP/1.1 and a cookie jar (lighter than requests,
    so the client processes leave the CPU to the servers being measured)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port, self.cookies = parts.hostname, parts.port, {}

    def post(self, path: str, form: dict) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request("POST", path, urlencode(form), headers)
            response = conn.getresponse()
            body = response.read().decode()
            for cookie in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), body
        finally:
            conn.close()


def one_launch(browser: Browser, target: Target, key, user: int) -> bool:
    """Login, read state/nonce, sign a fresh id_token, launch; True when the tool accepted it.
    Each launch starts with an empty cookie jar, like a different person's browser (pylti1p3 leaves one state
    cookie per launch behind, which would otherwise overflow the request headers after ~100 launches)."""
    browser.cookies.clear()
    launch_url = target.url + target.launch_path
    status, headers, page = browser.post(
        target.login_path,
        {
            "iss": ISSUER,
            "login_hint": str(user),
            "target_link_uri": launch_url,
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
        },
    )
    if status == 302:
        auth = headers["Location"]
    else:
        match = AUTH_URL.search(page)
        if not match:
            return False
        auth = html.unescape(match.group(1))
    query = parse_qs(urlsplit(auth).query)
    token = jwt.encode(_claims(query["nonce"][0], launch_url, user), key, algorithm="RS256", headers={"kid": KID})
    status, _headers, _body = browser.post(target.launch_path, {"id_token": token, "state": query["state"][0]})
    return status == target.ok_status


def _client(args) -> tuple[list[float], int]:  # runs in a child process
    target, pem, seconds, users, client_no = args
    browser, latencies, errors = Browser(target.url), [], 0
    key = serialization.load_pem_private_key(pem, password=None)  # parsed once, as a platform would
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            ok = one_launch(browser, target, key, users[(client_no + i) % len(users)])
        except (OSError, http.client.HTTPException):
            ok = False
        i += 1
        if ok:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            errors += 1
    return latencies, errors


def measure(target: Target, pem: bytes, seconds: float, clients: int, users: list[int]) -> RunResult:
    """One run: `clients` processes hammer the target for `seconds`."""
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        parts = pool.map(_client, [(target, pem, seconds, users, n) for n in range(clients)])
    latencies = sorted(lat for part, _ in parts for lat in part)
    errors = sum(e for _, e in parts)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    return RunResult(len(latencies) / seconds, p95, errors, len(latencies))


def _warm_up(target: Target, pem: bytes, users: list[int]) -> None:
    browser, key = Browser(target.url), serialization.load_pem_private_key(pem, password=None)
    for user in users:
        if not one_launch(browser, target, key, user):
            raise RuntimeError(f"warm-up launch for user {user} failed")


def _wait(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _gunicorn(module: str, port: int, workers: int, env: dict, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        module,
    ]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=str(Path(__file__).resolve().parent.parent),
    )


def _prepare_flipside(folder: Path, port: int, redis_url: str, jwks: dict, users: list[int]) -> dict:
    """Migrate a fresh database, register the bench platform and its organisation, return gunicorn's env."""
    from plugin import create_app, migration_state
    from plugin.config import from_environment
    from plugin.db import db
    from plugin.lti import keys
    from plugin.lti.registrations import PlatformInput, attach_organisation, save_platform
    from plugin.models import Employee
    from plugin.services.organisations import create_organisation

    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "REDIS_URL": redis_url,
        "FLIPSIDE_BASE_URL": f"http://127.0.0.1:{port}",
        "FLIPSIDE_INSTANCE_PATH": str(folder / "instance"),
        "FLIPSIDE_QUEUE_PREFIX": f"bench{uuid.uuid4().hex[:6]}",
        "FLIPSIDE_LOG_LEVEL": "WARNING",
    }
    migration_state.upgrade(env["DATABASE_URL"])
    settings = from_environment(env)
    app = create_app(settings)
    with app.app_context():
        org = create_organisation(db.session, "bench", "Bench Corp")
        for user in users:
            db.session.add(
                Employee(
                    organisation_id=org.id,
                    source_system="bench",
                    source_id=str(user),
                    first_name="Bench",
                    last_name=str(user),
                    work_email=f"bench{user}@bench.example",
                )
            )
        row = save_platform(
            db.session,
            PlatformInput(
                issuer=ISSUER,
                client_id=CLIENT_ID,
                auth_login_url=ISSUER + "/auth",
                auth_token_url=ISSUER + "/token",
                key_set_url=ISSUER + "/jwks",
                deployment_ids=(DEPLOYMENT_ID,),
            ),
        )
        row.key_set = jwks  # inline platform key, as for the baseline
        db.session.commit()
        attach_organisation(db.session, row.id, DEPLOYMENT_ID, org.id)
        keys.ensure_keys(db.session, app.extensions["flipside.vault"])
    return {**os.environ, **env}


def _machine() -> str:
    cpu = pyplatform.processor() or pyplatform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {pyplatform.python_version()}, {pyplatform.system()}"


def run(*, runs: int, seconds: float, clients: int, workers: int, echo=print) -> dict:
    """Start both tools, measure them alternately `runs` times, print a table and the RESULT line."""
    from plugin.jobs.connection import embedded_redis

    folder = Path(tempfile.mkdtemp(prefix="flipside-bench-"))
    servers: list[subprocess.Popen] = []
    redis_client = None
    try:
        redis_client = embedded_redis(str(folder / "redis.db"))
        redis_url = f"unix://{folder / 'redis.sock'}"
        pem, jwks = _platform_key()
        users = list(range(1, 101))
        tool_key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            .decode()
        )
        ports = _free_port(), _free_port()
        env = _prepare_flipside(folder, ports[0], redis_url, jwks, users)
        servers.append(_gunicorn("plugin.wsgi:app", ports[0], workers, env, folder / "flipside.log"))
        bare_env = {
            **os.environ,
            "BENCH_REDIS_URL": redis_url,
            "BENCH_ISSUER": ISSUER,
            "BENCH_CLIENT_ID": CLIENT_ID,
            "BENCH_DEPLOYMENT_ID": DEPLOYMENT_ID,
            "BENCH_PLATFORM_JWKS": json.dumps(jwks),
            "BENCH_TOOL_KEY": tool_key,
        }
        servers.append(_gunicorn("bench.bare_tool:app", ports[1], workers, bare_env, folder / "bare.log"))
        flipside = Target("flipside", f"http://127.0.0.1:{ports[0]}", "/lti/login", "/lti/launch", 303)
        bare = Target("bare pylti1p3", f"http://127.0.0.1:{ports[1]}", "/login", "/launch", 200)
        _wait(flipside.url + "/healthz", servers[0])
        _wait(bare.url + "/login", servers[1])
        _warm_up(flipside, pem, users)  # every user's first launch links them to their employee record
        for target in (flipside, bare):
            measure(target, pem, 1.0, clients, users)
        results: dict[str, list[RunResult]] = {flipside.name: [], bare.name: []}
        echo(f"{'run':>3}  {'tool':<14} {'launches/s':>11} {'p95 ms':>8} {'errors':>6}")
        for n in range(runs):
            order = (flipside, bare) if n % 2 == 0 else (bare, flipside)
            for target in order:
                result = measure(target, pem, seconds, clients, users)
                results[target.name].append(result)
                echo(
                    f"{n + 1:>3}  {target.name:<14} {result.launches_per_s:>11.1f} {result.p95_ms:>8.1f} "
                    f"{result.errors:>6}"
                )
        summary = _summary(results[flipside.name], results[bare.name])
        echo(f"machine: {_machine()}; clients={clients} workers={workers} runs={runs} seconds={seconds}")
        echo(
            f"ratio flipside/baseline: {summary['ratio']:.2f}x; errors flipside={summary['errors']} "
            f"baseline={summary['baseline_errors']}"
        )
        echo(
            f"RESULT launches_per_s={summary['launches_per_s']:.1f} p95_ms={summary['p95_ms']:.1f} "
            f"baseline_launches_per_s={summary['baseline_launches_per_s']:.1f} errors={summary['errors']} "
            f"ratio={summary['ratio']:.2f}"
        )
        return summary
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if redis_client is not None:
            redis_client.shutdown(nosave=True)
        shutil.rmtree(folder, ignore_errors=True)


def _summary(ours: list[RunResult], base: list[RunResult]) -> dict:
    rate = statistics.median(r.launches_per_s for r in ours)
    base_rate = statistics.median(r.launches_per_s for r in base)
    return {
        "launches_per_s": rate,
        "p95_ms": statistics.median(r.p95_ms for r in ours),
        "baseline_launches_per_s": base_rate,
        "baseline_p95_ms": statistics.median(r.p95_ms for r in base),
        "errors": sum(r.errors for r in ours),
        "baseline_errors": sum(r.errors for r in base),
        "ratio": rate / base_rate if base_rate else 0.0,
    }
