"""The weekly digest for HR admins and for each coordinator, by email and to programmes' chat channels.

What it says: pairs at risk (the domain's pair health), executives without a partner, failed message
deliveries and (to HR admins, who own the jobs page) failed jobs; counts and links only, never a
participant's name or anything written privately. Who gets it: every HR admin granted in the
organisation, and every coordinator with grants (only their programmes); a person with both grants gets
HR's. Chat: each programme's channel gets that programme's digest in its coordinator's language (else an
HR admin's); a coordinator's own channel gets the digest of their programmes in their language, and
nothing once they coordinate none. Once per recipient per ISO week: the event key carries the week, and the
outbox's receipt (event, recipient, channel) stores a second ask as the first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, gettext
from sqlalchemy import func

from ..domain import chat
from ..domain.language import babel_id
from ..domain.roles import COORDINATOR, HR_ADMIN
from ..models import AccessGrant, ChatWebhook, Employee, OutboundMessage, Programme
from . import chat_channels, dashboard, deliveries, messages, pair_health
from .framing import reader_locale
from .letters import Letter, name_of
from .tenant import Tenant

CATEGORY = "digest"


@dataclass(frozen=True)
class ProgrammeCounts:
    programme_id: int
    name: str
    at_risk: int
    unmatched: int
    failed_deliveries: int


def week_of(day: date) -> str:
    """The ISO week of a day, e.g. "2026-W49" (a Monday-to-Sunday week; 2027-01-01 is in 2026-W53)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def event_key(week: str) -> str:
    return f"digest-{week}"


def recipients(tenant: Tenant) -> list[tuple[Employee, frozenset[int] | None]]:
    """Each person granted HR admin (None: the whole organisation) or coordinator (their programmes),
    found by the grant's email among the organisation's active employees; HR admin wins over coordinator."""
    scopes: dict[str, frozenset[int] | None] = {}
    for grant in tenant.all(AccessGrant):
        if grant.role == HR_ADMIN:
            scopes[grant.email] = None
        elif grant.role == COORDINATOR and grant.programme_id and scopes.get(grant.email, frozenset()) is not None:
            scopes[grant.email] = scopes.get(grant.email, frozenset()) | {grant.programme_id}
    if not scopes:
        return []
    people = tenant.all(Employee, func.lower(Employee.work_email).in_(list(scopes)), Employee.active.is_(True))
    found = {p.work_email.lower(): p for p in sorted(people, key=lambda p: p.id, reverse=True)}
    return [(found[email], scopes[email]) for email in sorted(scopes) if email in found]


def programme_counts(tenant: Tenant, programme_ids: frozenset[int] | None, today: date) -> list[ProgrammeCounts]:
    """The counts per programme in reach (every programme that is not a draft)."""
    criteria = [Programme.status != "draft"]
    if programme_ids is not None:
        criteria.append(Programme.id.in_(list(programme_ids)))
    rows = []
    for programme in sorted(tenant.all(Programme, *criteria), key=lambda p: p.id):
        healths = pair_health.programme_assessment(tenant, programme.id, today)
        rows.append(
            ProgrammeCounts(
                programme.id,
                programme.name,
                sum(1 for h in healths if h.at_risk),
                dashboard.unmatched_executives(tenant, programme.id),
                deliveries.failed_count(tenant, frozenset({programme.id})),
            )
        )
    return rows


def digest(
    counts: list[ProgrammeCounts], failed_deliveries: int, failed_jobs: int | None, week: str, base_url: str, locale
) -> chat.Digest:
    """The digest's words in `locale`: totals with links, then one line per programme."""
    base = base_url.rstrip("/")
    with force_locale(babel_id(locale)):
        lines = [
            chat.DigestLine(gettext("Pairs at risk"), sum(c.at_risk for c in counts), f"{base}/admin/programmes/"),
            chat.DigestLine(gettext("Executives without a partner"), sum(c.unmatched for c in counts)),
            chat.DigestLine(gettext("Failed message deliveries"), failed_deliveries, f"{base}/admin/deliveries"),
        ]
        if failed_jobs is not None:
            lines.append(chat.DigestLine(gettext("Failed jobs"), failed_jobs, f"{base}/admin/jobs"))
        for c in counts:
            link = f"{base}/admin/programmes/{c.programme_id}/health"
            lines.append(chat.DigestLine(gettext("%(programme)s: pairs at risk", programme=c.name), c.at_risk, link))
            lines.append(
                chat.DigestLine(
                    gettext("%(programme)s: executives without a partner", programme=c.name), c.unmatched, link
                )
            )
        return chat.Digest(
            gettext("Flipside weekly digest: week %(week)s", week=week),
            gettext("What needs attention this week. The links open the pages in the admin workspace."),
            tuple(lines),
        )


def letter(reader: Employee, summary: chat.Digest, locale: str) -> Letter:
    with force_locale(babel_id(locale)):
        hello = gettext("Hello %(name)s,", name=name_of(reader))
    body = [f"{line.label}: {line.count}" + (f" ({line.link})" if line.link else "") for line in summary.lines]
    return Letter(summary.title, (hello, summary.intro, *body))


def queue_week(
    tenant: Tenant, today: date, base_url: str, failed_jobs: int | None, domain: str = "flipside.invalid"
) -> list[OutboundMessage]:
    """Write this week's digests (emails and chat posts) in the caller's transaction; a second call that
    week writes nothing new."""
    week = week_of(today)
    key = event_key(week)
    written = []
    readers = recipients(tenant)
    for reader, scope in readers:
        locale = reader_locale(reader)
        counts = programme_counts(tenant, scope, today)
        summary = digest(
            counts,
            deliveries.failed_count(tenant, scope),
            failed_jobs if scope is None else None,
            week,
            base_url,
            locale,
        )
        mail = letter(reader, summary, locale)
        written.append(
            messages.queue_email(
                tenant, key, CATEGORY, reader, mail.subject, mail.text(), mail.html(), locale, domain=domain
            )
        )
    for webhook in chat_channels.of_programmes(tenant):
        locale = channel_locale(readers, webhook.programme_id)
        written.append(_chat(tenant, webhook, frozenset({webhook.programme_id}), today, week, base_url, locale, domain))
    coordinators = {r.work_email.lower(): (r, scope) for r, scope in readers if scope is not None}
    for webhook in chat_channels.of_coordinators(tenant):
        if webhook.coordinator_email not in coordinators:  # no longer a coordinator (or HR admin now): nothing
            continue
        reader, scope = coordinators[webhook.coordinator_email]
        written.append(_chat(tenant, webhook, scope, today, week, base_url, reader_locale(reader), domain))
    return written


def channel_locale(readers: list[tuple[Employee, frozenset[int] | None]], programme_id: int) -> str:
    """The language a programme's channel is written in: its coordinator's, else an HR admin's, else English."""
    coordinators = [r for r, scope in readers if scope is not None and programme_id in scope]
    admins = [r for r, scope in readers if scope is None]
    for reader in coordinators + admins:
        return reader_locale(reader)
    return "en"


def _chat(tenant: Tenant, webhook: ChatWebhook, scope, today: date, week: str, base_url: str, locale: str, domain: str):
    """One post of the digest of the programmes in `scope` to the webhook."""
    counts = programme_counts(tenant, scope, today)
    failed = sum(c.failed_deliveries for c in counts)
    summary = digest(counts, failed, None, week, base_url, locale)
    body = json.dumps(chat.payload(webhook.vendor, summary), ensure_ascii=False)
    return messages.queue_chat(tenant, event_key(week), CATEGORY, webhook, summary.title, body, locale, domain=domain)
