"""A programme cycle's end and its successor: close a cohort, then start the next one from it.

Closing completes every running pair whose completion rule is met (its credentials and write-back follow as
jobs) and ends the others ("programme closed"), which makes their sessions read-only and suspends their LMS
enrolments; the participants stay as the cohort's alumni. The next cohort copies the settings, never repeats
a past pair (each becomes an exclusion), and offers the alumni mentors a place again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.topics import from_catalogue
from ..errors import Conflict, ValidationError
from ..models import RUNNING_PAIR, Exclusion, Pair, Participant, Programme, utcnow
from . import audit, completion, outbox, programmes
from .tenant import Tenant

CLOSED = "programme closed"  # end_reason of a pair that was still running when its programme closed
REPEAT = "paired in an earlier cohort"  # reason of the exclusions that keep past pairs apart


@dataclass(frozen=True)
class Closing:
    """What closing a programme did to its pairs."""

    completed: tuple[int, ...]
    ended: tuple[int, ...]
    alumni: int


def close_programme(tenant: Tenant, programme_id: int, actor: str) -> Closing:
    """Close an active programme (the caller commits; the jobs leave with the commit, through the outbox)."""
    programme = tenant.get(Programme, programme_id)
    if programme.status != "active":
        raise Conflict(
            f"A {programme.status} programme cannot become completed: only an active programme can be closed",
            errors={"status": programme.status},
        )
    completed, ended = [], []
    for pair in tenant.all(Pair, Pair.programme_id == programme.id, Pair.status.in_(RUNNING_PAIR)):
        if completion.complete_if_done(tenant, pair.id) is not None:
            completed.append(pair.id)
            for job, key in (("write_completion", "completion"), ("issue_credentials", "credentials")):
                outbox.later(
                    tenant.session,
                    f"plugin.jobs.completion:{job}",
                    key=f"{key}-{pair.id}",
                    organisation_id=tenant.organisation_id,
                    pair_id=pair.id,
                )
            continue
        pair.status, pair.ended_at, pair.end_reason = "ended", utcnow(), CLOSED
        ended.append(pair.id)
        outbox.later(
            tenant.session,
            "plugin.jobs.enrolment:unenrol_pair",
            key=f"unenrol-pair-{pair.id}",
            organisation_id=tenant.organisation_id,
            pair_id=pair.id,
        )
    programmes.transition(tenant, programme.id, "completed", actor, closing=True)
    kept = len(alumni(tenant, programme.id))  # one definition of who the alumni are
    audit.record(
        tenant,
        actor,
        "programme.closed",
        "programme",
        programme.id,
        completed=len(completed),
        ended=len(ended),
        alumni=kept,
    )
    tenant.session.flush()
    return Closing(tuple(completed), tuple(ended), kept)


def alumni(tenant: Tenant, programme_id: int) -> list[Participant]:
    """The people who took part in a closed programme and did not opt out."""
    return tenant.all(Participant, Participant.programme_id == programme_id, Participant.opted_in.is_(True))


def next_cohort(tenant: Tenant, programme_id: int, name: str, actor: str) -> Programme:
    """A draft programme with the closed one's settings, its past pairs excluded and its mentors invited."""
    source = tenant.get(Programme, programme_id)
    if source.status != "completed":
        raise Conflict(
            "Start the next cohort from a closed programme; close this one first", errors={"status": source.status}
        )
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("Give the next cohort a name (at most 200 characters)", errors={"name": "required"})
    if tenant.count(Programme, Programme.name == name):
        raise Conflict(f"A programme called {name!r} already exists", errors={"name": "taken"})
    settings = {key: getattr(source, key) for key in programmes.EDITABLE if key not in ("name", "starts_on")}
    settings["topics"] = from_catalogue(source.topics)[0]  # a topic written before the catalogue is not copied
    successor = programmes.create_programme(tenant, {**settings, "name": name}, actor)
    successor.agreement_text = source.agreement_text
    past = {
        (p.mentee_employee_id, p.mentor_employee_id)
        for p in tenant.all(
            Pair, Pair.programme_id == source.id, Pair.status.in_(("completed", "ended", *RUNNING_PAIR))
        )
    }
    for mentee_id, mentor_id in sorted(past):
        tenant.add(
            Exclusion(
                programme_id=successor.id, mentee_employee_id=mentee_id, mentor_employee_id=mentor_id, reason=REPEAT
            )
        )
    invited = 0
    for row in alumni(tenant, source.id):
        if row.role == "mentor":
            tenant.add(Participant(programme_id=successor.id, employee_id=row.employee_id, role="mentor"))
            invited += 1
    tenant.session.flush()
    audit.record(
        tenant,
        actor,
        "programme.next_cohort",
        "programme",
        successor.id,
        source=source.id,
        excluded=len(past),
        alumni_mentors=invited,
    )
    return successor
