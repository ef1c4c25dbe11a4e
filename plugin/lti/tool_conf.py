"""pylti1p3's ToolConfAbstract backed by our tables: registrations keyed by issuer + client_id."""

from __future__ import annotations

from dataclasses import dataclass

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.lti import LtiDeployment, LtiRegistration
from .cache import TtlCache
from .keys import SigningKey


@dataclass(frozen=True)
class RegistrationSnapshot:
    """The fields of an LtiRegistration a launch needs, safe to keep between requests."""

    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    auth_audience: str | None
    key_set_url: str | None
    key_set: dict | None
    scopes: tuple[str, ...]
    trusted_hosts: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: LtiRegistration) -> RegistrationSnapshot:
        return cls(
            row.id,
            row.issuer,
            row.client_id,
            row.auth_login_url,
            row.auth_token_url,
            row.auth_audience,
            row.key_set_url,
            row.key_set,
            tuple(row.scopes or ()),
            tuple(row.trusted_hosts or ()),
        )


class DbRegistration(Registration):
    """A pylti1p3 Registration that remembers which row it came from."""

    row_id: int = 0
    scopes: tuple[str, ...] = ()


class DbToolConf(ToolConfAbstract):
    """Looks registrations and deployments up in the database; an issuer may have many clients (Canvas)."""

    def __init__(self, session: Session, signing_key: SigningKey, cache: TtlCache | None = None):
        super().__init__()
        self.session = session
        self.signing_key = signing_key
        self.cache = cache or TtlCache(ttl=0)

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False  # never trust the issuer alone: Canvas cloud is one issuer for every customer

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def row(self, iss: str, client_id: str | None) -> RegistrationSnapshot | None:
        """The active registration for issuer + client_id (pending ones are not usable yet)."""
        if not client_id:
            return None

        def load():
            row = self.session.scalar(
                select(LtiRegistration).where(
                    LtiRegistration.issuer == iss,
                    LtiRegistration.client_id == client_id,
                    LtiRegistration.status == "active",
                )
            )
            return RegistrationSnapshot.of(row) if row else None

        return self.cache.get(("registration", iss, client_id), load)

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        return None

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs) -> Registration | None:
        row = self.row(iss, client_id)
        return self.as_registration(row) if row else None

    def as_registration(self, row: LtiRegistration | RegistrationSnapshot) -> DbRegistration:
        reg = DbRegistration()
        reg.set_issuer(row.issuer).set_client_id(row.client_id).set_auth_login_url(row.auth_login_url)
        reg.set_auth_token_url(row.auth_token_url).set_key_set_url(row.key_set_url).set_key_set(row.key_set)
        if row.auth_audience:
            reg.set_auth_audience(row.auth_audience)
        reg.set_tool_private_key(self.signing_key.private_pem)
        reg.get_kid = lambda: self.signing_key.kid  # our kid, not a hash of a public key we do not hold here
        reg.row_id = row.id
        reg.scopes = tuple(row.scopes or ())
        return reg

    def deployment_row(self, iss: str, deployment_id: str, client_id: str) -> str | None:
        """The deployment id when it is known for this active registration."""
        return self.cache.get(
            ("deployment", iss, client_id, deployment_id),
            lambda: self.session.scalar(
                select(LtiDeployment.deployment_id)
                .join(LtiRegistration)
                .where(
                    LtiRegistration.issuer == iss,
                    LtiRegistration.client_id == client_id,
                    LtiRegistration.status == "active",
                    LtiDeployment.deployment_id == deployment_id,
                )
            ),
        )

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return None

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args, **kwargs
    ) -> Deployment | None:
        known = self.deployment_row(iss, deployment_id, client_id)
        return Deployment().set_deployment_id(known) if known else None
