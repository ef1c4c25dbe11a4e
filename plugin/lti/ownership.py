"""Who may change a registration: the rules that stop one platform or organisation taking over another's.

A registration (issuer + client_id) decides whose keys sign launches for its deployments, so rewriting its
URLs is rewriting who can sign in as whom. Dynamic registration is open to anyone holding the URL, and every
Canvas cloud customer shares one issuer, so neither the issuer nor the client_id alone proves ownership.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ..errors import Forbidden
from ..models.lti import LtiRegistration
from .registrations import owners
from .rejection import LaunchRejected

# Canvas cloud's shared issuers (production, beta, test) and the hosts that serve their configuration
CANVAS_ISSUERS = (
    "https://canvas.instructure.com",
    "https://canvas.beta.instructure.com",
    "https://canvas.test.instructure.com",
)
CANVAS_DOMAINS = ("instructure.com", "canvaslms.com")


class RegistrationOwned(LaunchRejected):
    """A registration with this issuer + client_id exists and this request may not change it."""

    def __init__(self, detail: str):
        super().__init__("registration_exists", detail)
        self.status = 409
        self.hint = (
            "Flipside already has this LMS client registered for another installation. To update it "
            '(Moodle\'s "Update"), start again from the same LMS with a registration link from an '
            "organisation already using it (`flipside platform invite ORG`)."
        )


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _on_domain(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def issuer_matches_configuration(issuer: str, configuration_url: str) -> bool:
    """LTI Dynamic Registration 1.0 section 3.5.1: the configuration's issuer has the host of the
    openid_configuration URL it came from; Canvas cloud's shared issuer is the one documented exception,
    and then the configuration must come from a Canvas host."""
    host = (urlsplit(configuration_url).hostname or "").lower()
    if issuer.rstrip("/") in CANVAS_ISSUERS:
        return _on_domain(host, CANVAS_DOMAINS)
    return bool(host) and (urlsplit(issuer).hostname or "").lower() == host


def check_dynamic(
    session: Session, existing: LtiRegistration | None, configuration_url: str, organisation_id: int | None
) -> None:
    """Dynamic registration only creates, except the same platform re-registering (Moodle's "Update"): same
    issuer + client_id (the row), the same configuration origin, and an invite of an organisation the
    registration already serves."""
    if existing is None:
        return
    if not existing.config_origin or existing.config_origin != origin(configuration_url):
        raise RegistrationOwned("registered from elsewhere")
    if organisation_id is None or organisation_id not in owners(session, existing.id):
        raise RegistrationOwned("no invitation of an organisation using it")


def check_form(session: Session, existing: LtiRegistration | None, organisation_id: int) -> None:
    """An HR admin may change a registration by hand only when every organisation it serves is their own
    (and it serves at least one: an unclaimed registration is the operator's to activate)."""
    if existing is None:
        return
    served = owners(session, existing.id)
    if not served or served != {organisation_id}:
        raise Forbidden(
            "This LMS client is registered for another organisation, so it cannot be changed "
            "here. Nothing was saved. Ask the operator to check the registration.",
            code="registration_exists",
            status=409,
        )
