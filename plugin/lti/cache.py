"""A small per-process TTL cache for registration lookups: launches read them, admins rarely change them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

TTL_SECONDS = 30.0  # a registration edited in another process is seen within this time


class TtlCache:
    """Positive results only: an unknown issuer or deployment is looked up again every time."""

    def __init__(self, ttl: float = TTL_SECONDS):
        self.ttl = ttl
        self._data: dict[tuple, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, load: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._data.get(key)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        value = load()
        if value:
            with self._lock:
                self._data[key] = (time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
