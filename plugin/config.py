"""Settings with safe defaults for the embedded mode; the environment overrides them. No I/O here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .errors import ConfigError

DEV_SECRET = "flipside-embedded-development-secret"  # noqa: S105 - refused in production below
# A fixed, public development key: fine for the embedded demo, refused in production.
DEV_ENCRYPTION_KEY = "ZmxpcHNpZGUtZW1iZWRkZWQtZGV2LWtleS0wMDAwMDA="  # noqa: S105


@dataclass(frozen=True)
class Settings:
    """Everything Flipside reads from its environment, in one place."""

    env: str = "development"
    instance_path: str = "instance"
    database_url: str = ""
    redis_url: str = ""
    base_url: str = "http://127.0.0.1:5000"
    secret_key: str = DEV_SECRET
    encryption_keys: tuple[str, ...] = (DEV_ENCRYPTION_KEY,)
    queue_prefix: str = "flipside"
    log_level: str = "INFO"
    smtp_url: str = ""  # smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465; empty: no email
    mail_from: str = "Flipside <flipside@localhost>"
    sweep_interval_s: float = 30.0  # how often a worker sweeps for jobs a killed worker took
    orphan_grace_s: float = 60.0  # how long a job must look orphaned before it is put back
    message_lease_s: float = 300.0  # how long a worker holds the batch of messages it leased (jobs.notify)
    preparation_read_s: float = 21600.0  # a launch reads the learner's preparation from the LMS at most this often
    extra: dict = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the instance folder."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{Path(self.instance_path).resolve() / 'flipside.sqlite3'}"

    @property
    def embedded_redis_path(self) -> str:
        return str(Path(self.instance_path).resolve() / "redis.db")

    def check(self) -> None:
        """Refuse to run in production without a secret key, an encryption key and an https base URL."""
        if not self.production:
            return
        missing = []
        if not self.secret_key or self.secret_key == DEV_SECRET:
            missing.append("FLIPSIDE_SECRET_KEY (a long random string)")
        if not self.encryption_keys or DEV_ENCRYPTION_KEY in self.encryption_keys:
            missing.append("FLIPSIDE_ENCRYPTION_KEYS (Fernet keys; `flipside secrets generate-key` makes one)")
        if not self.base_url.startswith("https://"):
            missing.append("FLIPSIDE_BASE_URL (the tool's public https:// URL)")
        if missing:
            raise ConfigError("Refusing to start in production. Set: " + "; ".join(missing))


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


ENVIRONMENT = {
    "env": "FLIPSIDE_ENV",
    "instance_path": "FLIPSIDE_INSTANCE_PATH",
    "database_url": "DATABASE_URL",
    "redis_url": "REDIS_URL",
    "base_url": "FLIPSIDE_BASE_URL",
    "secret_key": "FLIPSIDE_SECRET_KEY",
    "encryption_keys": "FLIPSIDE_ENCRYPTION_KEYS",
    "queue_prefix": "FLIPSIDE_QUEUE_PREFIX",
    "log_level": "FLIPSIDE_LOG_LEVEL",
    "smtp_url": "FLIPSIDE_SMTP_URL",
    "mail_from": "FLIPSIDE_MAIL_FROM",
    "sweep_interval_s": "FLIPSIDE_SWEEP_INTERVAL_S",
    "orphan_grace_s": "FLIPSIDE_ORPHAN_GRACE_S",
    "message_lease_s": "FLIPSIDE_MESSAGE_LEASE_S",
    "preparation_read_s": "FLIPSIDE_PREPARATION_READ_S",
}
_SECONDS = ("sweep_interval_s", "orphan_grace_s", "message_lease_s", "preparation_read_s")


def _seconds(var: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{var} must be a number of seconds, not {raw!r}") from None
    if not 0 < value < 86400:
        raise ConfigError(f"{var} must be between 0 and 86400 seconds, not {raw!r}")
    return value


def from_environment(environ: dict | None = None, **overrides) -> Settings:
    """Build settings from the environment, then apply explicit overrides (tests, CLI)."""
    environ = os.environ if environ is None else environ
    values: dict = {}
    for name, var in ENVIRONMENT.items():
        raw = environ.get(var)
        if raw is None or raw == "":
            continue
        if name == "encryption_keys":
            values[name] = tuple(k.strip() for k in raw.split(",") if k.strip())
        elif name in _SECONDS:
            values[name] = _seconds(var, raw)
        else:
            values[name] = raw.rstrip("/") if name == "base_url" else raw
    known = {f.name for f in fields(Settings)}
    unknown = set(overrides) - known
    if unknown:
        raise ConfigError(f"Unknown settings: {', '.join(sorted(unknown))}")
    return replace(Settings(**values), **overrides)
