"""Adding people to a programme from a CSV: who (email), as what (role), and optionally their profile.

Every good row is kept and every bad row is reported by its line with the reason; nothing of a bad row is
stored. A file without an email column, or that cannot be read as CSV, stores nothing at all. An email that
appears on more than one row is refused on every one of them: which row was meant is HR's call, not ours.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from ..errors import RowError, ValidationError
from ..models import HELD_PAIR, Employee, Pair, Participant, Programme
from . import audit, profiles
from .tenant import Tenant

COLUMNS = ("email", "role", *profiles.CSV_COLUMNS[1:])
ROLE_WORDS = {"mentor": "mentor", "mentee": "mentee", "executive": "mentee"}


@dataclass
class MemberImport:
    """What one import added, updated and refused (line number, reason)."""

    added: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def template() -> str:
    """The header row a CSV import understands, to download and fill in."""
    return ",".join(COLUMNS) + "\r\n"


def import_members(tenant: Tenant, programme_id: int, text: str, actor: str) -> MemberImport:
    """Add or update the programme's members named in the CSV; see the module docstring for the rules."""
    tenant.get(Programme, programme_id)
    if "\x00" in text:
        raise ValidationError("The CSV contains NUL characters, which cannot be stored; nothing was imported")
    try:
        header, lines = _read(text.lstrip("\ufeff"))
    except csv.Error as exc:
        raise ValidationError(f"The CSV cannot be read ({exc}); nothing was imported") from exc
    report = MemberImport()
    if "email" not in header:
        report.rejected.append((1, "the first row must name the columns, and one of them must be email"))
        return report
    report.ignored_columns = sorted(set(header) - set(COLUMNS) - {""})
    duplicates = _duplicates(lines)
    held = _held_roles(tenant, programme_id)
    for line, row in lines:
        email = row.get("email", "")
        if email in duplicates:
            where = ", ".join(str(n) for n in duplicates[email])
            report.rejected.append((line, f"{email} appears on lines {where}; keep one row per person"))
            continue
        try:
            added = _apply(tenant, programme_id, row, held)
        except RowError as exc:
            report.rejected.append((line, str(exc)))
            continue
        if added:
            report.added += 1
        else:
            report.updated += 1
    tenant.session.flush()
    audit.record(
        tenant,
        actor,
        "participants.imported",
        "programme",
        programme_id,
        added=report.added,
        updated=report.updated,
        rejected=len(report.rejected),
    )
    return report


def _read(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The lower-cased header and each non-blank row keyed by it, with the line the row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    lines, start = [], reader.line_num + 1
    for raw in reader:
        values = {h: v.strip() for h, v in zip(header, raw, strict=False)}
        if any(values.values()):
            values["email"] = values.get("email", "").lower()
            lines.append((start, values))
        start = reader.line_num + 1
    return header, lines


def _duplicates(lines: list[tuple[int, dict]]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = defaultdict(list)
    for line, row in lines:
        if row.get("email"):
            seen[row["email"]].append(line)
    return {email: found for email, found in seen.items() if len(found) > 1}


def _held_roles(tenant: Tenant, programme_id: int) -> dict[int, str]:
    """The role each person holds in a proposed or running pair of the programme."""
    held = {}
    for pair in tenant.all(Pair, Pair.programme_id == programme_id, Pair.status.in_(HELD_PAIR)):
        held[pair.mentor_employee_id], held[pair.mentee_employee_id] = "mentor", "mentee"
    return held


def _apply(tenant: Tenant, programme_id: int, row: dict, held: dict[int, str]) -> bool:
    """Store one row (validated in full first); True when the person was added to the programme."""
    email = row.get("email", "")
    if not email:
        raise RowError("email is empty")
    found = tenant.all(Employee, Employee.work_email == email, Employee.active.is_(True))
    if len(found) != 1:
        raise RowError(f"no active employee has the email {email}" if not found else f"{email} is ambiguous")
    employee = found[0]
    role = _role(row.get("role", ""))
    values = profiles.parse_row(row)
    member = next(
        iter(tenant.all(Participant, Participant.programme_id == programme_id, Participant.employee_id == employee.id)),
        None,
    )
    is_member = member is not None and member.opted_in
    if role is None and not is_member:
        raise RowError(f"{email} is not in the programme yet: give a role (mentor or executive) to add them")
    if role and employee.id in held and held[employee.id] != role:
        raise RowError(f"{email} is in a pair as {_word(held[employee.id])}; change the pair before the role")
    if member is None:
        member = tenant.add(Participant(programme_id=programme_id, employee_id=employee.id, role=role))
    member.opted_in, member.opted_out_at = True, None
    member.role = role or member.role
    if values:
        profile = profiles.profile_for(tenant, employee)
        for key, value in values.items():
            setattr(profile, key, value)
        profile.source = "csv"
    return not is_member


def _role(text: str) -> str | None:
    word = text.strip().lower()
    if not word:
        return None
    if word not in ROLE_WORDS:
        raise RowError(f"role must be mentor or executive, not {text!r}")
    return ROLE_WORDS[word]


def _word(role: str) -> str:
    return "executive" if role == "mentee" else "mentor"
