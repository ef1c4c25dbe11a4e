"""One error tree, classified by what the caller must do; each error says what happened and what to do.

Framework-free, because the domain raises these too: the Flask handlers that render them live in
plugin/web/error_pages.py.
"""

from __future__ import annotations


class FlipsideError(Exception):
    """Root of every error Flipside raises on purpose."""

    status = 500
    code = "internal"
    title = "Something went wrong"
    advice = "Try again in a few minutes. If it keeps happening, tell your Flipside administrator."
    hint: str | None = None  # what to do in this instance; the class's advice otherwise

    def __init__(self, message: str = "", *, code: str | None = None, status: int | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        if code:
            self.code = code
        if status:
            self.status = status

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(FlipsideError):
    """The configuration is incomplete or unsafe."""

    code = "config"
    title = "Flipside is not set up correctly"
    advice = "An administrator must correct the setting named above and start Flipside again."


class NotMigrated(ConfigError):
    """The database schema is not the one this version of Flipside needs."""

    status = 503
    code = "not_migrated"
    title = "The database needs an upgrade"
    advice = "An administrator must run `flipside db upgrade`, then reload this page."


class DatabaseUnavailable(FlipsideError):
    """Flipside cannot reach its database right now."""

    status = 503
    code = "database_unavailable"
    title = "Flipside is not available right now"
    advice = "Try again in a few minutes. An administrator can see what is down at /healthz."


class NotFound(FlipsideError):
    """The thing asked for does not exist for this organisation."""

    status = 404
    code = "not_found"
    title = "Not found"
    advice = "Check the link, or go back and choose the item again."


class ValidationError(FlipsideError):
    """Input was rejected; nothing was stored."""

    status = 400
    code = "invalid"
    title = "Please check what you sent"
    advice = "Nothing was saved. Correct what is named above and send it again."

    def __init__(self, message: str = "", *, errors: dict | None = None, **kw):
        super().__init__(message, **kw)
        self.errors = errors or {}


class Conflict(ValidationError):
    """The request is well formed but not possible in the current state; nothing was stored."""

    status = 409
    code = "conflict"
    title = "Not possible right now"
    advice = "Nothing was changed. Check the item's current state, then try again."


class NotAgreed(Conflict):
    """Both partners accept the programme's confidentiality agreement before the pair starts."""

    code = "agreement_missing"
    title = "The confidentiality agreement comes first"
    advice = "Nothing was saved. Both partners accept the agreement on the pair page, then try again."


class RuleError(ValidationError):
    """An eligibility rule or lifecycle step that cannot be applied."""


class RowError(ValidationError):
    """One CSV row that cannot be imported."""


class Forbidden(FlipsideError):
    """The caller may not do this."""

    status = 403
    code = "forbidden"
    title = "You cannot do this"
    advice = "Ask your HR admin for access if you need it."


class TenancyError(FlipsideError):
    """A query of tenant-owned rows named no organisation (a programming error, never the user's)."""

    code = "tenancy"


class LtiError(FlipsideError):
    """An LTI message or exchange failed a check."""

    status = 400
    code = "lti"
    title = "Your LMS could not open Flipside"
    advice = "Open Flipside again from your course. If it keeps failing, show this page to your LMS administrator."


class SignatureError(FlipsideError):
    """A signature did not verify (webhook, token, credential)."""

    status = 401
    code = "bad_signature"
    title = "The signature did not verify"
    advice = "Nothing was accepted. Check the key or secret the sender signs with."


class CredentialInvalid(SignatureError):
    """A credential's signature, key or shape does not verify."""


class IntegrationError(FlipsideError):
    """A vendor call failed."""

    status = 502
    code = "integration"
    title = "A connected system did not answer as expected"
    advice = "Try again in a few minutes. If it keeps failing, check the connection on the Connections page."


class RetriableError(IntegrationError):
    """The vendor call may succeed later (429, 5xx, timeouts)."""

    code = "retriable"
    title = "A connected system is busy"
    advice = "Nothing was lost: Flipside tries again by itself. Check back in a few minutes."

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class LockTimeout(RetriableError):
    """Another run holds the lock this work needs; it runs when that one is done."""

    code = "lock_timeout"
    counts_as_attempt = False  # waiting for a sibling run is not a failure: it spends no retry


class FatalError(IntegrationError):
    """Retrying will not help until a person changes something."""

    code = "fatal"
    title = "A connection needs attention"
    advice = "Open the Connections page, correct what is named above, then retry."


class NeedsReconnect(FatalError):
    """The connection's credentials were refused; an admin must reconnect it."""

    code = "needs_reconnect"
    title = "Reconnect this connection"
    advice = "The vendor refused Flipside's credentials: reconnect it on the Connections page."


class BadRecord(IntegrationError):
    """One vendor record could not be read; it is skipped and reported, never fatal."""

    code = "bad_record"
    title = "A record could not be read"
    advice = "The other records were kept. Correct this record in the HRIS; the next sync reads it again."

    def __init__(self, message: str = "", *, source_id: str | None = None, **kw):
        super().__init__(message, **kw)
        self.source_id = source_id


# SQLSTATEs that a later attempt can get past: serialization failure, deadlock, lock not available,
# the server shutting down or refusing connections, and every connection exception (class 08)
_TRANSIENT_SQLSTATES = {
    "40001": "serialization_failure",
    "40P01": "deadlock",
    "55P03": "lock_timeout",
    "57P01": "database_shutdown",
    "57P02": "database_shutdown",
    "57P03": "database_starting",
}


def retriable_cause(exc: BaseException) -> str | None:
    """Why `exc` is worth retrying with backoff (a cause code), or None when retrying cannot help.

    Our own RetriableError says so; besides it a database or Redis that dropped the connection, a
    serialization failure, a deadlock or a lock timeout pass with time, so a job meeting one retries
    instead of failing for good.
    """
    if isinstance(exc, RetriableError):
        return exc.code
    # Imported here, not at the top: the domain imports this module, and a process that only matches
    # (the solver, the match benchmark) should not carry both client libraries (about 20 MB).
    import redis.exceptions
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        return "redis_unavailable"
    if isinstance(exc, sa_exc.DBAPIError):
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
        if state in _TRANSIENT_SQLSTATES:
            return _TRANSIENT_SQLSTATES[state]
        if exc.connection_invalidated or state.startswith("08") or isinstance(exc, sa_exc.InterfaceError):
            return "database_unavailable"
        if type(exc.orig).__module__.startswith("sqlite3"):
            locked = "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower()
            return "database_locked" if locked else None  # another writer held the file past busy_timeout
        if isinstance(exc, sa_exc.OperationalError) and not state:
            return "database_unavailable"  # no server answer at all (refused, reset, timed out)
    return None
