"""Signed BambooHR webhooks as BambooHR sends them: one per change, 5xx retried with backoff, some resent.

BambooHR retries an answer of 5xx (or no answer) up to five times and never retries a 4xx; the
suite keeps that rule and compresses the schedule (1, 2, 4, 8, 16 seconds instead of 5 to 80 minutes)
so a 10-second Redis outage is ridden out inside one run. A resend is the same body delivered again,
half of them with the same signature headers, half re-signed with a later timestamp.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from plugin.webhooks.signature import bamboohr_signature

RETRY_DELAYS = (1, 2, 4, 8, 16)


@dataclass
class Deliveries:
    """What was sent and how it was answered."""

    changes: dict[str, dict[str, object]] = field(default_factory=dict)  # source id -> announced values
    sent: int = 0
    resent: int = 0
    answers: Counter = field(default_factory=Counter)  # "accepted", "rejected 4xx", "gave up"
    distinct_bodies: set[bytes] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, outcome: str) -> None:
        with self._lock:
            self.answers[outcome] += 1


def storm(
    emulator,
    hook_id: str,
    url: str,
    targets: list[str],
    total: int,
    *,
    resend_share: float = 0.05,
    seed: int = 1,
    senders: int = 4,
) -> Deliveries:
    """Change `total` job titles in the emulator, each announced by a webhook; resend a share of them."""
    rng = random.Random(seed)
    out = Deliveries()
    secret = emulator.webhooks[hook_id]["privateKey"]
    with ThreadPoolExecutor(senders) as pool, requests.Session() as session:
        pending = []
        for i in range(total):
            target = targets[i % len(targets)]
            title = f"Webhook change {i}"
            emulator.update(target, job_title=title)
            body, headers = emulator.webhook_delivery(hook_id, target, "updated", ("jobTitle",))
            out.changes[target] = {"job_title": title}
            out.distinct_bodies.add(body)
            pending.append(pool.submit(_deliver, session, url, body, headers, out))
            out.sent += 1
            if rng.random() < resend_share:
                again = headers if rng.random() < 0.5 else _resigned(body, secret)
                pending.append(pool.submit(_deliver, session, url, body, again, out, delay=rng.uniform(0.5, 3)))
                out.resent += 1
        for job in pending:
            job.result()
    return out


def _resigned(body: bytes, secret: str) -> dict[str, str]:
    stamp = str(int(time.time()) + 1)
    return {
        "Content-Type": "application/json",
        "X-BambooHR-Timestamp": stamp,
        "X-BambooHR-Signature": bamboohr_signature(body, stamp, secret),
    }


def _deliver(session, url: str, body: bytes, headers: dict, out: Deliveries, *, delay: float = 0.0) -> None:
    time.sleep(delay)
    for wait in (*RETRY_DELAYS, None):
        try:
            status = session.post(url, data=body, headers=headers, timeout=10).status_code
        except requests.RequestException:
            status = None  # no answer is retried like a 5xx
        if status is not None and status < 500:
            out.count("accepted" if status < 300 else f"rejected {status}")
            return
        if wait is None:
            out.count("gave up")
            return
        time.sleep(wait)
