"""Launch state, nonces, launch data and service tokens in Redis (never in the cookie session).

Every OIDC login stores one record under its state: the issuer and client it was started for, the nonce we
issued, the target_link_uri asked for, and a hash of a per-browser secret (sent as a cookie, or kept in the
platform's storage when third-party cookies are blocked). The launch takes the record exactly once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets as pysecrets
from dataclasses import dataclass

import redis

STATE_TTL = 600
LAUNCH_TTL = 8 * 3600
NONCE_MEMORY = 3600  # a nonce is remembered as used for longer than any id_token may live


def new_secret() -> str:
    return pysecrets.token_urlsafe(24)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class LoginRecord:
    """What the login promised; the launch must match it."""

    issuer: str
    client_id: str
    nonce: str
    target_link_uri: str
    browser_hash: str
    storage_target: str = ""

    def browser_matches(self, secret: str | None) -> bool:
        return bool(secret) and hmac.compare_digest(self.browser_hash, _digest(secret))


# State, browser binding, nonce and launch data in one round trip: check the browser, take the login
# record, spend the nonce, store the launch. A POST from another browser leaves the record where it was,
# so the real browser's launch still works. Python then compares the record with the token and forgets
# the launch on a mismatch.
SPEND = """
local record = redis.call('GET', KEYS[1])
if not record then return {0, 0} end
if cjson.decode(record)['browser_hash'] ~= ARGV[4] then return {record, 2} end
redis.call('DEL', KEYS[1])
local fresh = redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[3])
if fresh then return {record, 1} end
return {record, 0}
"""


class LaunchStore:
    """Redis-backed state/nonce/launch storage; keys carry a prefix so tenants of one Redis never collide."""

    def __init__(self, client: redis.Redis, prefix: str = "flipside"):
        self.redis = client
        self.prefix = f"{prefix}:lti"
        self._spend = client.register_script(SPEND)

    def _key(self, kind: str, value: str) -> str:
        return f"{self.prefix}:{kind}:{value}"

    def begin(
        self,
        *,
        issuer: str,
        client_id: str,
        target_link_uri: str,
        browser_secret: str,
        storage_target: str = "",
    ) -> tuple[str, str]:
        """Record a login for this browser; returns (state, nonce)."""
        state, nonce = new_secret(), new_secret()
        record = LoginRecord(issuer, client_id, nonce, target_link_uri, _digest(browser_secret), storage_target)
        self.redis.set(self._key("state", state), json.dumps(record.__dict__), ex=STATE_TTL)
        return state, nonce

    def peek(self, state: str) -> LoginRecord | None:
        """The login record without consuming it (the Platform Storage page needs to know the target)."""
        raw = self.redis.get(self._key("state", state))
        return LoginRecord(**json.loads(raw)) if raw else None

    def take(self, state: str, browser_secret: str | None) -> LoginRecord | None:
        """The login record for this state, removed so it can never be used twice; a record of another
        browser is returned but left in place (the real browser may still come back with it)."""
        record = self.peek(state)
        if record is None or not record.browser_matches(browser_secret):
            return record
        raw = self.redis.getdel(self._key("state", state))
        return LoginRecord(**json.loads(raw)) if raw else None

    def take_and_spend(
        self, state: str, issuer: str, nonce: str, launch_id: str, claims: dict, browser_secret: str | None
    ) -> tuple[LoginRecord | None, bool]:
        """(login record or None, nonce was fresh); with a record of this browser the nonce is spent and the
        launch stored; a record of another browser comes back untouched, with fresh False."""
        keys = [self._key("state", state), self._nonce_key(issuer, nonce), self._key("launch", launch_id)]
        browser = _digest(browser_secret) if browser_secret else ""
        raw, fresh = self._spend(keys=keys, args=[json.dumps(claims), NONCE_MEMORY, LAUNCH_TTL, browser])
        if not raw:
            return None, False
        return LoginRecord(**json.loads(raw)), fresh == 1

    def _nonce_key(self, issuer: str, nonce: str) -> str:
        return self._key("nonce", _digest(f"{issuer}\n{nonce}"))

    def spend_nonce_and_save(self, issuer: str, nonce: str, launch_id: str, claims: dict) -> bool:
        """Mark the nonce used and store the launch in one round trip; False when the nonce was used before
        (the stored launch is then removed again)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(self._nonce_key(issuer, nonce), "1", nx=True, ex=NONCE_MEMORY)
        pipe.set(self._key("launch", launch_id), json.dumps(claims), ex=LAUNCH_TTL)
        fresh, _saved = pipe.execute()
        if not fresh:
            self.forget_launch(launch_id)
        return bool(fresh)

    def forget_launch(self, launch_id: str) -> None:
        self.redis.delete(self._key("launch", launch_id))

    def save_launch(self, launch_id: str, claims: dict) -> None:
        self.redis.set(self._key("launch", launch_id), json.dumps(claims), ex=LAUNCH_TTL)

    def launch(self, launch_id: str) -> dict | None:
        raw = self.redis.get(self._key("launch", launch_id))
        return json.loads(raw) if raw else None

    def cached_token(self, key: str) -> str | None:
        raw = self.redis.get(self._key("token", key))
        return raw.decode() if isinstance(raw, bytes) else raw

    def cache_token(self, key: str, token: str, ttl: int) -> None:
        if ttl > 0:
            self.redis.set(self._key("token", key), token, ex=ttl)

    def drop_token(self, key: str) -> None:
        self.redis.delete(self._key("token", key))

    def lock(self, name: str, seconds: int = 30) -> bool:
        """A best-effort lock (SET NX) so two jobs do not create the same thing at once."""
        return bool(self.redis.set(self._key("lock", name), "1", nx=True, ex=seconds))

    def unlock(self, name: str) -> None:
        self.redis.delete(self._key("lock", name))
