"""Shared HTTP pieces for every vendor connector: sessions, one classifying `send()`, and retries.

A connector declares what is vendor-specific (which headers carry the error message, which
statuses it inspects itself, how to refresh credentials); this module owns the loop:

- 429 and 503 with `Retry-After` -> `RetriableError(retry_after=seconds)`, and the retry waits that long;
- other 5xx, timeouts and connection errors -> `RetriableError`, retried with capped exponential
  backoff and full jitter (domain.backoff);
- retries inside one request are short (3 tries, 30 s of waiting at most): a longer wait, a Retry-After
  beyond the budget included, is raised to the job, whose own retry waits it out without holding a worker;
- 401 -> the caller's `refresh` callback runs once and the request is repeated; a second 401
  (or a 401 with nothing to refresh) -> `NeedsReconnect`;
- other 4xx -> `FatalError` carrying the vendor's message.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import requests
from requests.adapters import HTTPAdapter

from plugin.domain.backoff import full_jitter
from plugin.errors import FatalError, NeedsReconnect, RetriableError

DEFAULT_TIMEOUT = (5.0, 60.0)  # (connect, read) seconds; a read timeout is per socket read, not per body
THROTTLED = frozenset({429, 503})
MAX_ATTEMPTS = 3  # tries of one request inside a job or a page view, the first included
MAX_WAIT_S = 30.0  # seconds of sleeping between those tries, all retries together
USER_AGENT = "Flipside/0.1 (+reverse-mentoring)"


def make_session(*, pool_size: int = 8, session: requests.Session | None = None) -> requests.Session:
    """Return a requests Session with a pooled adapter and Flipside's User-Agent (no adapter retries)."""
    session = session or requests.Session()
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


@dataclass
class RetryPolicy:
    """How often and how long to retry retriable failures; `sleep` is injectable for tests."""

    attempts: int = MAX_ATTEMPTS
    base: float = 0.5
    cap: float = 10.0
    max_retry_after: float = MAX_WAIT_S
    budget: float = MAX_WAIT_S
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self):
        # the ceiling holds whatever a caller or a connection's settings ask for
        self.attempts = max(1, min(int(self.attempts), MAX_ATTEMPTS))
        self.budget = max(0.0, min(float(self.budget), MAX_WAIT_S))
        self.max_retry_after = max(0.0, min(float(self.max_retry_after), MAX_WAIT_S))

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0-based): full jitter, never before Retry-After."""
        if retry_after is not None:
            retry_after = min(max(retry_after, 0.0), self.max_retry_after)
        return full_jitter(attempt, base=self.base, cap=self.cap, retry_after=retry_after, rng=self.rng)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header given as delta-seconds or an HTTP date; None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def vendor_message(response: requests.Response, error_headers: Iterable[str] = ()) -> str:
    """The vendor's own explanation of a failed response: a declared header, a JSON error, or the text."""
    for name in error_headers:
        if response.headers.get(name):
            return response.headers[name]
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "").strip()[:300]
    return _message_from_json(body) or json.dumps(body)[:300]


def _message_from_json(body) -> str | None:
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        return error.get("message") or error.get("code")
    if isinstance(error, str):
        return body.get("error_description") or error
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return errors[0].get("error") or errors[0].get("message")
    return body.get("detail") or body.get("title") or body.get("message")


def classify(response: requests.Response, *, error_headers: Iterable[str] = (), vendor: str = "vendor"):
    """Raise the error the caller must act on for a failed response; return None for 1xx-3xx."""
    status = response.status_code
    if status < 400:
        return None
    message = f"{vendor} answered {status}: {vendor_message(response, error_headers)}"
    if status in THROTTLED or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise RetriableError(message, retry_after=retry_after)
    if status == 401:
        raise NeedsReconnect(message)
    raise FatalError(message)


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    policy: RetryPolicy | None = None,
    refresh: Callable[[], None] | None = None,
    error_headers: Iterable[str] = (),
    passthrough: Iterable[int] = (),
    vendor: str = "vendor",
    timeout=DEFAULT_TIMEOUT,
    inspect: Callable[[requests.Response], None] | None = None,
    **kwargs,
) -> requests.Response:
    """Send one request with retries; return a 2xx/3xx response (or one whose status is in `passthrough`).

    `inspect(response)` sees every response first and may raise a vendor-specific classification
    (Canvas's 403 throttle text, Moodle's HTTP-200 error object); a RetriableError it raises is retried here.
    """
    policy = policy or RetryPolicy()
    passthrough = frozenset(passthrough)
    refreshed = False
    attempt, waited = 0, 0.0
    while True:
        try:
            response = _request_once(session, method, url, timeout=timeout, vendor=vendor, **kwargs)
            if inspect is not None:
                _inspect_closing(inspect, response)
            if response.status_code == 401 and refresh is not None and not refreshed:
                response.close()
                refresh()
                refreshed = True
                continue
            if response.status_code not in passthrough:
                _classify_closing(response, error_headers, vendor)
            return response
        except RetriableError as err:
            attempt += 1
            delay = policy.delay(attempt - 1, err.retry_after)
            if (
                attempt >= policy.attempts
                or waited + delay > policy.budget
                or (err.retry_after or 0.0) > policy.max_retry_after
            ):
                raise  # a longer wait is the job retry's (it honours Retry-After) without holding a worker
            waited += delay
            policy.sleep(delay)


def _request_once(session, method, url, *, timeout, vendor, **kwargs) -> requests.Response:
    try:
        return session.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout as err:
        raise RetriableError(f"{vendor} timed out: {err}") from err
    except requests.ConnectionError as err:
        raise RetriableError(f"{vendor} connection failed: {err}") from err


def _inspect_closing(inspect, response: requests.Response) -> None:
    try:
        inspect(response)
    except BaseException:
        response.close()
        raise


def _classify_closing(response: requests.Response, error_headers, vendor: str) -> None:
    if response.status_code >= 400:
        try:
            classify(response, error_headers=error_headers, vendor=vendor)
        finally:
            response.close()


class BodyStream:
    """A file-like view of a streamed response body, for incremental parsers (ijson reads it in chunks)."""

    def __init__(self, response: requests.Response, *, vendor: str = "vendor", chunk_size: int = 1 << 16):
        self._chunks = response.iter_content(chunk_size=chunk_size)
        self._vendor = vendor

    def read(self, size: int = -1) -> bytes:
        """Return the next chunk (any length), or b"" at the end of the body."""
        if size == 0:  # ijson probes with read(0) to tell bytes from text
            return b""
        try:
            return next(self._chunks, b"")
        except STREAM_ERRORS as err:
            raise RetriableError(f"{self._vendor} body broke off: {err}") from err


STREAM_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
