"""The webhook load generator: client processes, each a pool of threads POSTing signed BambooHR deliveries.

Each delivery names one employee and a title no other delivery carries (so each is a real change), with its
own body timestamp; a share `resend_rate` is sent again at once, half with the same signature headers and
half re-signed later, as BambooHR's retries look. A 5xx (or no answer) is retried at once, up to five
times. Latency is measured client-side per request, from connect to the last byte of the answer.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from plugin.webhooks import bamboohr
from plugin.webhooks.signature import bamboohr_signature

RETRIES = 5


@dataclass
class Load:
    """What one target was sent and how it answered."""

    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    answers: Counter = field(default_factory=Counter)  # "202", "503", "error" ...
    unique: int = 0  # deliveries that were real changes
    resends: int = 0
    accepted_keys: list[str] = field(default_factory=list)  # unique deliveries answered 202 (their keys)
    never_accepted: int = 0  # unique deliveries still refused after the retries
    duplicates_answered: int = 0  # resends the server said were duplicates

    def merge(self, other: Load) -> None:
        self.latencies_ms += other.latencies_ms
        self.answers.update(other.answers)
        self.accepted_keys += other.accepted_keys
        for name in ("unique", "resends", "never_accepted", "duplicates_answered"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def accepted(self) -> int:
        return self.answers["202"]

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def delivery(key: str, source_id: str, title: str) -> tuple[bytes, dict]:
    """A signed BambooHR field payload naming one change."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps(
        {
            "employees": [
                {
                    "id": source_id,
                    "action": "Updated",
                    "timestamp": stamp,
                    "changedFields": ["Job Title"],
                    "fields": {"Job Title": {"value": title}},
                }
            ]
        },
        separators=(",", ":"),
    ).encode()
    return body, signed(body, key)


def signed(body: bytes, key: str) -> dict:
    stamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "X-BambooHR-Timestamp": stamp,
        "X-BambooHR-Signature": bamboohr_signature(body, stamp, key),
    }


def _post(port: int, path: str, body: bytes, headers: dict, load: Load) -> dict | None:
    for _ in range(RETRIES + 1):
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            answer = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status, answer = None, b""
        finally:
            conn.close()
        load.latencies_ms.append((time.perf_counter() - started) * 1000)
        load.answers[str(status or "error")] += 1
        if status is not None and status < 500:
            return json.loads(answer) if status == 202 else None
    return None


def _thread(args, deadline: float, load: Load, lock: threading.Lock, thread_no: int) -> None:
    port, path, key, employees, resend_rate, seed, proc_no = args
    rng, mine, n = random.Random(seed * 1000 + thread_no), Load(), 0
    while time.perf_counter() < deadline:
        n += 1
        source_id = str(rng.randrange(1, employees + 1))
        body, headers = delivery(key, source_id, f"Bench change {seed}-{proc_no}-{thread_no}-{n}")
        mine.unique += 1
        answer = _post(port, path, body, headers, mine)
        if answer is None:
            mine.never_accepted += 1
            continue
        if answer.get("accepted"):
            mine.accepted_keys.append(
                bamboohr.parse(body, headers["Content-Type"], headers["X-BambooHR-Timestamp"])[0].key
            )
        if rng.random() < resend_rate:
            mine.resends += 1
            again = headers if rng.random() < 0.5 else signed(body, key)
            repeat = _post(port, path, body, again, mine)
            mine.duplicates_answered += int(bool(repeat and repeat.get("duplicates")))
    with lock:
        load.merge(mine)


def _process(args) -> Load:  # runs in a child process
    seconds, threads = args[-2:]
    load, lock = Load(), threading.Lock()
    deadline = time.perf_counter() + seconds
    workers = [threading.Thread(target=_thread, args=(args[:-2], deadline, load, lock, t)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return load


def measure(
    port: int,
    path: str,
    key: str,
    *,
    seconds: float,
    connections: int,
    processes: int,
    employees: int,
    resend_rate: float,
    seed: int,
) -> Load:
    """`connections` concurrent senders (threads spread over `processes`) for `seconds`."""
    processes = max(1, min(processes, connections))
    spread = [connections // processes + (1 if p < connections % processes else 0) for p in range(processes)]
    jobs = [(port, path, key, employees, resend_rate, seed, p, seconds, spread[p]) for p in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        parts = pool.map(_process, jobs)
    total = Load(seconds=seconds)  # each sender's own deadline: process start-up is not counted
    for part in parts:
        total.merge(part)
    return total
