"""A webhook delivery as the core sees it: plain data that vendor adapters build and services record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One employee event from a webhook: who, what happened, and a key stable across vendor retries."""

    source_id: str
    event: str  # "created" | "updated" | "deleted" | "terminated" (Workday)
    key: str
    changed_fields: tuple[str, ...] = ()
    occurred_at: datetime | None = None
