"""Platform public keys: a per-process JWKS cache that refetches once whenever an unknown kid arrives."""

from __future__ import annotations

import threading
import time

import requests
from jwt import algorithms as jwt_algorithms

from ..connectors.http import make_session
from .rejection import LaunchRejected

CACHE_SECONDS = 3600.0
# Unknown kids may trigger at most this many refetches of one platform's key set per window: enough for
# any real rotation, too few for a stream of forged kids to hammer the platform through us.
REFETCH_BUDGET = 5
REFETCH_WINDOW_SECONDS = 60.0


class PlatformKeys:
    """Keys by JWKS URL; loaded once per process, refreshed hourly or when a platform rotates."""

    def __init__(self, http: requests.Session | None = None):
        self.http = http or make_session()
        self._keys: dict[str, tuple[float, dict[str, dict]]] = {}
        self._parsed: dict[tuple, object] = {}
        self._refetches: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()
            self._parsed.clear()
            self._refetches.clear()

    def public_key(self, kid: str, *, key_set_url: str | None, key_set: dict | None = None):
        """The verifying key object for this kid (parsed once per JWK)."""
        jwk = self.find(kid, key_set_url=key_set_url, key_set=key_set)
        cache_key = (kid, jwk.get("n"), jwk.get("e"))
        key = self._parsed.get(cache_key)
        if key is None:
            try:
                key = jwt_algorithms.RSAAlgorithm.from_jwk(jwk)
            except (ValueError, TypeError, KeyError) as exc:
                raise LaunchRejected("no_platform_keys", "unreadable JWK") from exc
            with self._lock:
                self._parsed[cache_key] = key
        return key

    def find(self, kid: str, *, key_set_url: str | None, key_set: dict | None = None) -> dict:
        """The JWK with this kid. Security Framework 5.1.3 item 1 and 6.3: on an unknown kid the JWKS
        is fetched again once (the platform may have rotated its key), then the token is refused. The
        refetch happens however recently the set was fetched (the first launch after a rotation must
        work), within a budget per key set URL; one platform's key set serves all its registrations."""
        if key_set:
            return self._pick(_index(key_set), kid)
        if not key_set_url:
            raise LaunchRejected("no_platform_keys")
        _fetched_at, keys = self._cached(key_set_url)
        if kid not in keys and self._may_refetch(key_set_url):
            _fetched_at, keys = self._fetch(key_set_url)
        return self._pick(keys, kid)

    def _may_refetch(self, url: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._refetches.get(url, []) if now - t < REFETCH_WINDOW_SECONDS]
            allowed = len(recent) < REFETCH_BUDGET
            self._refetches[url] = [*recent, now] if allowed else recent
        return allowed

    @staticmethod
    def _pick(keys: dict[str, dict], kid: str) -> dict:
        if kid not in keys:
            raise LaunchRejected("unknown_kid")
        return keys[kid]

    def _cached(self, url: str) -> tuple[float, dict[str, dict]]:
        with self._lock:
            hit = self._keys.get(url)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit
        return self._fetch(url)

    def _fetch(self, url: str) -> tuple[float, dict[str, dict]]:
        try:
            response = self.http.get(url, timeout=5)
            response.raise_for_status()
            keys = _index(response.json())
        except (requests.RequestException, ValueError) as exc:
            raise LaunchRejected("platform_keys_unavailable") from exc
        entry = (time.monotonic(), keys)
        with self._lock:
            self._keys[url] = entry
        return entry


def _index(key_set: dict) -> dict[str, dict]:
    return {k["kid"]: k for k in key_set.get("keys", []) if k.get("kid") and k.get("kty") == "RSA"}


PLATFORM_KEYS = PlatformKeys()
