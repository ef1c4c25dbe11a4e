"""Reading the audit trail: HR admins filter it by actor, event and dates, a page at a time, or export it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from ..domain.spreadsheet import csv_text
from ..errors import ValidationError
from ..models import AuditEvent
from . import paging
from .tenant import Tenant

PER_PAGE = paging.PER_PAGE
MAX_EXPORT = 100_000  # rows one CSV export carries; a wider export is refused with advice to narrow it


@dataclass(frozen=True)
class AuditFilters:
    """Actor (text the actor contains), event (exact), and an inclusive date range in UTC."""

    actor: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, args) -> AuditFilters:
        """Filters from a query string; a date that is not YYYY-MM-DD, or a range that ends before it starts,
        is refused naming the field."""
        since, until = _day(args, "from"), _day(args, "to")
        if since and until and until < since:
            raise ValidationError("The date range ends before it starts", errors={"to": "before from"})
        return cls(
            actor=(args.get("actor") or "").strip()[:120],
            action=(args.get("event") or "").strip()[:64],
            since=since,
            until=until,
        )


def _day(args, key: str) -> date | None:
    text = (args.get(key) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(f"{text!r} is not a date like 2026-12-31", errors={key: "not a date"}) from exc


def _query(filters: AuditFilters):
    stmt = select(AuditEvent)
    if filters.actor:
        escaped = filters.actor.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(func.lower(AuditEvent.actor).like(f"%{escaped}%", escape="\\"))
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.since:
        stmt = stmt.where(AuditEvent.created_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        stmt = stmt.where(AuditEvent.created_at < datetime.combine(filters.until + timedelta(days=1), time.min, UTC))
    return stmt


def events(tenant: Tenant, filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE) -> paging.Page:
    """One page of the organisation's audit events matching the filters, newest first."""
    stmt = _query(filters)
    total = tenant.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    at = paging.window(total, page, per_page)
    newest_first = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    rows = tenant.session.scalars(newest_first.limit(at.per_page).offset(at.offset))
    return paging.Page(list(rows), at.total, at.page, at.pages, at.per_page)


def actions(tenant: Tenant) -> list[str]:
    """Every kind of event the organisation's trail holds, for the filter."""
    return list(tenant.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def export_csv(tenant: Tenant, filters: AuditFilters) -> str:
    """The filtered trail as CSV, oldest first (formula cells neutralised like every export)."""
    stmt = _query(filters)
    total = tenant.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if total > MAX_EXPORT:
        raise ValidationError(
            f"{total} events match; narrow the dates to export at most {MAX_EXPORT} at once",
            errors={"from": "range too wide"},
        )
    rows = tenant.session.scalars(stmt.order_by(AuditEvent.created_at, AuditEvent.id))
    return csv_text(
        ["when_utc", "actor", "event", "subject_type", "subject_id", "detail"],
        (
            [
                _utc(e.created_at).isoformat(timespec="seconds"),
                e.actor,
                e.action,
                e.subject_type,
                e.subject_id,
                json.dumps(e.detail or {}, sort_keys=True),
            ]
            for e in rows
        ),
    )


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
