"""LMS messages: who a participant is in the LMS, and which outbox messages go out as LMS messages.

A participant's LMS account is the one their enrolment found or created: the connection's receipt
`user:<employee id>` (services.enrolment). The pairing announcement is written before the enrolment job
has run, so the account is looked up when the message is sent: while one of the recipient's enrolments is
still under way the message waits for it; someone with no account on the connection (and none coming) is
not an LMS user and their LMS copy is kept `skipped` with that reason (the email still goes).
"""

from __future__ import annotations

from sqlalchemy import or_

from ..config import Settings
from ..connectors.lms import LmsConnector
from ..errors import FatalError, RetriableError
from ..models import Connection, Employee, OutboundMessage, Pair, PairEnrolment, Programme
from ..vault import Vault
from . import lms, messages
from .receipts import Receipts
from .tenant import Tenant

PENDING_ENROLMENT = ("queued", "enrolling", "retrying")
NO_ACCOUNT = "no LMS account is linked to this participant on the connection"


def connection_of(programme: Programme) -> int | None:
    """The LMS connection a programme's participants get LMS messages through (its enrolment connection)."""
    return programme.lms_connection_id if programme.lms_connection_id and programme.lms_course_id else None


def queue_copy(
    tenant: Tenant,
    programme: Programme,
    event_key: str,
    category: str,
    recipient: Employee,
    subject: str,
    text: str,
    html: str,
    locale: str,
) -> OutboundMessage | None:
    """The LMS copy of an email for a participant of a programme with an LMS course (None without one)."""
    connection_id = connection_of(programme)
    if connection_id is None:
        return None
    return messages.queue_lms(tenant, event_key, category, recipient, connection_id, subject, text, html, locale)


def account(tenant: Tenant, connection_id: int, employee_id: int) -> str | None:
    """The LMS user id the enrolment linked to this employee on this connection, if any."""
    return Receipts.for_connection(tenant, connection_id).done(f"user:{employee_id}")


def enrolment_pending(tenant: Tenant, employee_id: int) -> bool:
    """Whether an enrolment of one of the employee's pairs has not finished yet (it may link an account)."""
    pair_ids = [
        p.id
        for p in tenant.all(Pair, or_(Pair.mentor_employee_id == employee_id, Pair.mentee_employee_id == employee_id))
    ]
    if not pair_ids:
        return False
    return (
        tenant.count(PairEnrolment, PairEnrolment.pair_id.in_(pair_ids), PairEnrolment.status.in_(PENDING_ENROLMENT))
        > 0
    )


def recipient(tenant: Tenant, row: OutboundMessage) -> str | None:
    """The LMS user an "lms" message goes to; RetriableError while their enrolment may still link one,
    None when they have no account there."""
    if row.connection_id is None:
        raise FatalError("the LMS connection of this message was removed")
    user = account(tenant, row.connection_id, row.recipient_id)
    if user is not None:
        return user
    if enrolment_pending(tenant, row.recipient_id):
        raise RetriableError("waiting for the participant's LMS account: their enrolment has not finished")
    return None


def open_for(tenant: Tenant, settings: Settings, vault: Vault, connection_id: int | None, client=None) -> LmsConnector:
    """The connector of a message's connection, paced by the connection's shared rate limit (tokens kept)."""
    if connection_id is None:
        raise FatalError("the LMS connection of this message was removed")
    conn = tenant.get(Connection, connection_id)  # NotFound for another organisation's connection
    if conn.kind != "lms":
        raise FatalError(f"connection {conn.id} is not an LMS connection")
    connector = lms.open_connector(settings, vault, conn, client=client)
    tenant.session.commit()  # a token fetched from /login/token.php or refreshed by OAuth is kept
    return connector
