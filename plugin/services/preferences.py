"""What each person wants to hear: unsubscribe per category (RFC 8058 one-click) and quiet hours.

Transactional messages (the pairing announcement, completion with the credential) cannot be
unsubscribed from; every other category can, from the link in its List-Unsubscribe header or the
preferences page under /me/. The link carries a signed token naming the organisation, the person and
the category, so it works without a login and cannot be forged or turned against someone else's category.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from itsdangerous import BadSignature, URLSafeSerializer

from ..domain.language import N_
from ..errors import Forbidden, ValidationError
from ..models import Employee, MessagePreference, utcnow
from .tenant import Tenant

SALT = "flipside.unsubscribe"
TRANSACTIONAL = frozenset({"pairing", "completion"})  # the pairing announcement; completion and the credential
# the categories a person may turn off, with their name on the preferences page
CATEGORIES = {
    "reminder": N_("Session reminders and calendar invitations"),
    "nudge": N_("Reminders from HR to meet your partner"),
    "confirmation": N_("Requests to confirm a session your partner logged"),
    "extension": N_("Extensions your partner proposes or agrees to"),
    "cancellations": N_("A note when several of your sessions were cancelled"),
    "digest": N_("Weekly digests for HR admins and coordinators"),
    "invitation": N_("Invitations to join an opt-in programme"),
}


def preference(tenant: Tenant, employee_id: int) -> MessagePreference | None:
    return next(iter(tenant.all(MessagePreference, MessagePreference.employee_id == employee_id)), None)


def _own(tenant: Tenant, employee_id: int) -> MessagePreference:
    row = preference(tenant, employee_id)
    if row is None:
        tenant.get(Employee, employee_id)  # NotFound for someone not in this organisation
        row = tenant.add(MessagePreference(employee_id=employee_id, unsubscribed=[]))
    return row


def unsubscribe(tenant: Tenant, employee_id: int, category: str) -> MessagePreference:
    """Turn one category off for one person (asking twice is the same as once); the caller commits."""
    if category not in CATEGORIES:
        raise ValidationError(
            f"{category!r} is not a category one can unsubscribe from", errors={"category": "unknown"}
        )
    row = _own(tenant, employee_id)
    if category not in row.unsubscribed:
        row.unsubscribed = sorted({*row.unsubscribed, category})  # a new list: JSON columns track assignment
    row.updated_at = utcnow()
    return row


def save(tenant: Tenant, employee_id: int, wanted: set[str], quiet: tuple[int, int] | None) -> MessagePreference:
    """Store the categories a person still wants and their quiet hours (None for none); the caller commits."""
    if quiet is not None and (not all(0 <= h <= 23 for h in quiet) or quiet[0] == quiet[1]):
        raise ValidationError("quiet hours are two different whole hours from 0 to 23", errors={"quiet": "hours"})
    row = _own(tenant, employee_id)
    row.unsubscribed = sorted(set(CATEGORIES) - wanted)
    row.quiet_start_hour, row.quiet_end_hour = quiet if quiet else (None, None)
    row.updated_at = utcnow()
    return row


def wants(row: MessagePreference | None, category: str) -> bool:
    """Whether a message of `category` may go to the person (transactional ones always may)."""
    return category in TRANSACTIONAL or row is None or category not in (row.unsubscribed or [])


def quiet_until(row: MessagePreference | None, timezone: str | None, now: datetime) -> datetime | None:
    """When the person's quiet hours end if `now` falls in them (their own time zone), else None."""
    if row is None or row.quiet_start_hour is None or row.quiet_end_hour is None:
        return None
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    start, end, hour = row.quiet_start_hour, row.quiet_end_hour, local.hour
    inside = start <= hour < end if start < end else (hour >= start or hour < end)
    if not inside:
        return None
    day = local.date() + timedelta(days=1 if start > end and hour >= start else 0)
    return datetime.combine(day, time(end), zone)


def token(secret_key: str, organisation_id: int, employee_id: int, category: str) -> str:
    """The signed token of one person's unsubscribe link for one category (it does not expire: RFC 8058)."""
    return URLSafeSerializer(secret_key, salt=SALT).dumps({"o": organisation_id, "e": employee_id, "c": category})


def read_token(secret_key: str, text: str) -> tuple[int, int, str]:
    """(organisation, employee, category) of an unsubscribe token; Forbidden if forged or malformed."""
    try:
        data = URLSafeSerializer(secret_key, salt=SALT).loads(text or "")
        return int(data["o"]), int(data["e"]), str(data["c"])
    except (BadSignature, KeyError, TypeError, ValueError) as err:
        raise Forbidden("this unsubscribe link is not valid") from err


def list_headers(
    secret_key: str, base_url: str, mail_from: str, organisation_id: int, employee_id: int, category: str
) -> tuple[tuple[str, str], ...]:
    """RFC 2369 List-Unsubscribe (https and mailto) and RFC 8058 List-Unsubscribe-Post; none if transactional."""
    if category in TRANSACTIONAL:
        return ()
    signed = token(secret_key, organisation_id, employee_id, category)
    address = mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    mailto = f"mailto:{address}?subject={quote('unsubscribe ' + signed)}"
    return (
        ("List-Unsubscribe", f"<{base_url}/unsubscribe/{signed}>, <{mailto}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
