"""LTI tables: platform registrations, deployments, their organisations, user links and our signing keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


class LtiRegistration(Base):
    """One platform client: keyed by issuer + client_id (every Canvas cloud customer shares one issuer)."""

    __tablename__ = "lti_registration"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_registration_iss_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    product: Mapped[str] = mapped_column(String(32), default="other")
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    auth_audience: Mapped[str | None] = mapped_column(String(500), nullable=True)
    key_set_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    key_set: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # where a dynamic registration read the platform's configuration ("https://host:port"); a later
    # registration of the same issuer + client_id must come from the same origin (Moodle's "Update")
    config_origin: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # hosts besides the login and token URLs' that deep-linking responses may be posted to (admin-added)
    trusted_hosts: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(back_populates="registration", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<LtiRegistration {self.id} {self.issuer} {self.client_id}>"


class LtiRegistrationEvent(Base):
    """Every change to a registration: who (an organisation's admin, a dynamic registration, the CLI) and
    which fields changed. Kept beside the registration because an unclaimed one has no organisation yet."""

    __tablename__ = "lti_registration_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), nullable=True
    )
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LtiDeployment(Base):
    """A deployment of Flipside inside one registration (a Moodle tool instance, a Canvas installation)."""

    __tablename__ = "lti_deployment"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id", name="uq_lti_deployment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    registration: Mapped[LtiRegistration] = relationship(back_populates="deployments")


class LtiDeploymentOrganisation(TenantOwned, Base):
    """An organisation served through a deployment; one deployment may serve several organisations."""

    __tablename__ = "lti_deployment_organisation"
    __table_args__ = (UniqueConstraint("deployment_pk", "organisation_id", name="uq_lti_deployment_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_pk: Mapped[int] = mapped_column(ForeignKey("lti_deployment.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)


class LtiUserLink(TenantOwned, Base):
    """An LMS user (registration + sub) linked to an employee of one organisation, and how it was linked."""

    __tablename__ = "lti_user_link"
    __table_args__ = (UniqueConstraint("organisation_id", "registration_id", "lms_user_id", name="uq_lti_user_link"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"))
    lms_user_id: Mapped[str] = mapped_column(String(255))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"), nullable=True)
    method: Mapped[str] = mapped_column(String(16), default="email")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    lms_name: Mapped[str] = mapped_column(String(240), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CourseRoster(TenantOwned, Base):
    """An LMS course whose membership (NRPS) Flipside imports, and what the last import found.

    A failed import keeps the last good counts and list of unlinked members; only `status`/`error` change."""

    __tablename__ = "course_roster"
    __table_args__ = (UniqueConstraint("organisation_id", "registration_id", "context_id", name="uq_course_roster"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))  # the LTI context (course) id
    title: Mapped[str] = mapped_column(String(255), default="")
    memberships_url: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | ok | failed
    error: Mapped[str] = mapped_column(Text, default="")
    members: Mapped[int] = mapped_column(Integer, default=0)
    linked: Mapped[int] = mapped_column(Integer, default=0)
    unlinked: Mapped[list] = mapped_column(JSON, default=list)  # [{"user_id", "name", "reason"}]
    imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    tried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ToolKey(Base):
    """One of our RSA signing keys: 'active' signs, 'next' is published ahead of rotation, 'retired' kept."""

    __tablename__ = "lti_tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    private_key_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
