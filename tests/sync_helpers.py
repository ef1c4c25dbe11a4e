"""What the sync tests share: stored employees compared with an emulator's, and an event recorder."""

from __future__ import annotations

from enum import Enum

from plugin.domain.geography import region_of, timezone_of
from plugin.emulators import bamboohr_shape
from plugin.emulators import workday as workday_emulator
from plugin.models import Employee

BAMBOO_FIELDS = (*bamboohr_shape.CARRIED, "is_manager")
WORKDAY_FIELDS = workday_emulator.CARRIED


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _expected(record, field: str):
    """What Flipside stores: the vendor's value, or for region and time zone, what the office implies."""
    value = getattr(record, field)
    if field == "region" and not value:
        return region_of(record.country)
    if field == "timezone" and not value:
        return timezone_of(record.country, record.location)
    return _plain(value)


def differences(tenant, emulator, fields) -> dict:
    """Stored employees that differ from the emulator's (missing, extra, or by field); {} when exact."""
    stored = {e.source_id: e for e in tenant.all(Employee, Employee.deleted.is_(False))}
    expected = {r.source_id: r for r in emulator.expected()}
    out = {i: "missing" for i in expected.keys() - stored.keys()}
    out.update({i: "extra" for i in stored.keys() - expected.keys()})
    for source_id in expected.keys() & stored.keys():
        row, record = stored[source_id], expected[source_id]
        diff = {
            f: (getattr(row, f), _expected(record, f))
            for f in fields
            if _plain(getattr(row, f)) != _expected(record, f)
            and not (f == "work_email" and getattr(row, f) == (record.work_email or "").lower())
        }
        if diff:
            out[source_id] = diff
    return out


def as_the_job_would(read, tries: int = 8):
    """Call `read()` again after each RetriableError, as the job's own retries would (without their wait):
    a request is tried three times at most, and a longer outage is the job's to wait out."""
    from plugin.errors import RetriableError

    for _ in range(tries - 1):
        try:
            return read()
        except RetriableError:
            continue
    return read()
