"""Invitations by email to an opt-in programme: HR invites everyone eligible, each person gets a signed link,
and following it (one button, no sign-in needed) takes them into the programme.

The link's token names the organisation, the person and the programme and is signed with the app's secret;
it only ever answers that person's own open invitation (services.programmes.answer_invitation).
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from ..errors import Conflict, Forbidden
from ..models import Employee, OutboundMessage, Participant, Programme
from . import letters, messages, programmes
from .framing import reader_locale
from .tenant import Tenant

SALT = "flipside.join"
INVITATION = "invitation"


def token(secret_key: str, organisation_id: int, employee_id: int, programme_id: int) -> str:
    """The signed token of one person's link into one programme."""
    return URLSafeSerializer(secret_key, salt=SALT).dumps({"o": organisation_id, "e": employee_id, "p": programme_id})


def read_token(secret_key: str, text: str) -> tuple[int, int, int]:
    """(organisation, employee, programme) of a join link; Forbidden if forged or malformed."""
    try:
        data = URLSafeSerializer(secret_key, salt=SALT).loads(text or "")
        return int(data["o"]), int(data["e"]), int(data["p"])
    except (BadSignature, KeyError, TypeError, ValueError) as err:
        raise Forbidden("this invitation link is not valid") from err


def invite(tenant: Tenant, programme_id: int, secret_key: str, base_url: str) -> list[OutboundMessage]:
    """Invite every eligible employee of an opt-in programme by email; inviting again writes nothing twice."""
    programme = tenant.get(Programme, programme_id)
    if programme.enrolment != "opt_in":
        raise Conflict("Only an opt-in programme invites people; this one assigns them", errors={"enrolment": "hr"})
    programmes.enrol_eligible(tenant, programme.id)
    written = []
    for part, person in tenant.session.execute(
        tenant.select(Participant, Participant.programme_id == programme.id, Participant.opted_in.is_(False))
        .add_columns(Employee)
        .join(Employee, Employee.id == Participant.employee_id)
        .where(Participant.opted_out_at.is_(None), Employee.active.is_(True))
    ):
        locale = reader_locale(person)
        link = f"{base_url}/join/{token(secret_key, tenant.organisation_id, person.id, programme.id)}"
        letter = letters.programme_invitation(programme, person, part.role, locale, link)
        written.append(
            messages.queue_email(
                tenant,
                f"programme-invite-{programme.id}",
                INVITATION,
                person,
                letter.subject,
                letter.text(),
                letter.html(),
                locale,
            )
        )
    return written
