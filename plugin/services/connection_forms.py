"""Connections added, edited and removed by an HR admin: which fields each vendor asks for, the form turned
into settings the typed schemas check (nothing is stored when they refuse), secrets kept encrypted."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from ..domain.language import N_
from ..errors import ValidationError
from ..models import Connection, Employee, Programme
from ..vault import Vault
from . import audit, connection_settings, connections
from .tenant import Tenant


@dataclass(frozen=True)
class Field:
    """One input of a vendor's form: a setting (shown again) or a secret (never shown, blank keeps it)."""

    name: str
    label: str
    kind: str = "setting"  # setting | secret | token
    required: bool = False
    hint: str = ""


FIELDS = {
    "bamboohr": (
        Field("company", N_("Company subdomain"), required=True, hint=N_("acme for acme.bamboohr.com")),
        Field("api_key", N_("API key"), "secret", hint=N_("or leave empty and give an OAuth client below")),
        Field("client_id", N_("OAuth client id"), "secret"),
        Field("client_secret", N_("OAuth client secret"), "secret"),
        Field("origin", N_("Address instead of BambooHR's"), hint=N_("only for a proxy or an emulator")),
    ),
    "workday": (
        Field("host", N_("Workday services host"), required=True, hint="wd2-impl-services1.workday.com"),
        Field("tenant", N_("Tenant"), required=True),
        Field("report", N_("RaaS report (owner/name)"), required=True),
        Field("client_id", N_("API client id"), "secret", required=True),
        Field("client_secret", N_("API client secret"), "secret", required=True),
        Field(
            "refresh_token",
            N_("Integration system user's refresh token"),
            "secret",
            hint=N_("or leave empty and connect through Workday's consent"),
        ),
        Field("origin", N_("Address instead of the host's"), hint=N_("only for a proxy or an emulator")),
    ),
    "moodle": (
        Field("base_url", N_("Moodle address"), required=True, hint="https://moodle.example.com"),
        Field(
            "token",
            N_("Web-service token"),
            "secret",
            required=True,
            hint=N_("Site administration > Server > Web services > Manage tokens"),
        ),
        Field("user_auth", N_("Authentication of the accounts Flipside creates"), hint=N_("manual unless you use SSO")),
    ),
    "canvas": (
        Field("base_url", N_("Canvas address"), required=True, hint="https://school.instructure.com"),
        Field("account_id", N_("Account id"), hint=N_("self, or the sub-account's number")),
        Field("client_id", N_("Developer key id"), "secret", hint=N_("then connect through Canvas's consent")),
        Field("client_secret", N_("Developer key secret"), "secret"),
        Field("access_token", N_("Or an access token"), "token", hint=N_("instead of the consent")),
    ),
}
LABELS = {"bamboohr": "BambooHR", "workday": "Workday", "moodle": "Moodle", "canvas": "Canvas"}


def _split(vendor: str, form, *, creating: bool) -> tuple[dict, dict, dict, dict]:
    """(settings, secrets, tokens, errors) from the form; an empty secret means 'keep the stored one'."""
    settings, secrets, tokens, errors = {}, {}, {}, {}
    for field in FIELDS[vendor]:
        value = (form.get(field.name) or "").strip()
        if field.required and not value and (creating or field.kind == "setting"):
            errors[field.name] = gettext("%(label)s is required", label=gettext(field.label))
        elif value:
            {"setting": settings, "secret": secrets, "token": tokens}[field.kind][field.name] = value
    return settings, secrets, tokens, errors


def _check(vendor: str, settings: dict, secrets: dict, tokens: dict, errors: dict, *, creating: bool) -> None:
    if creating and vendor == "bamboohr" and not secrets.get("api_key") and not secrets.get("client_id"):
        errors["api_key"] = gettext("Give an API key, or an OAuth client id and secret")
    if creating and vendor == "canvas" and not tokens and not secrets.get("client_id"):
        errors["client_id"] = gettext("Give the developer key's id and secret, or an access token")
    if secrets.get("client_id") and not secrets.get("client_secret") and creating:
        errors["client_secret"] = gettext("The client id needs its secret")
    if errors:
        raise ValidationError(gettext("Please correct the highlighted fields"), errors=errors)
    try:
        connection_settings.check(vendor, settings)
    except ValidationError as exc:
        raise ValidationError(
            gettext("Please correct the highlighted fields"),
            errors={k: "; ".join(v) if isinstance(v, list) else str(v) for k, v in (exc.errors or {}).items()},
        ) from exc


def add(tenant: Tenant, vault: Vault, vendor: str, form, actor: str) -> Connection:
    """A new connection from the form, or ValidationError naming each bad field (then nothing is stored)."""
    if vendor not in FIELDS:
        raise ValidationError(f"Unknown vendor {vendor!r}", errors={"vendor": "unknown"})
    settings, secrets, tokens, errors = _split(vendor, form, creating=True)
    _check(vendor, settings, secrets, tokens, errors, creating=True)
    name = (form.get("name") or "").strip()[:200] or LABELS[vendor]
    return connections.create_connection(
        tenant,
        vault,
        vendor,
        name=name,
        settings=settings,
        credentials=secrets or None,
        tokens=tokens or None,
        actor=actor,
    )


def edit(tenant: Tenant, vault: Vault, connection_id: int, form, actor: str) -> Connection:
    """Change a connection's name, settings and any secret given again; it must be tested again."""
    conn = tenant.get(Connection, connection_id)
    settings, secrets, tokens, errors = _split(conn.vendor, form, creating=False)
    _check(conn.vendor, settings, secrets, tokens, errors, creating=False)
    shown = {f.name for f in FIELDS[conn.vendor] if f.kind == "setting"}
    kept = {k: v for k, v in (conn.settings or {}).items() if k not in shown}  # settings the form does not show
    conn.settings = {**kept, **settings}
    conn.name = (form.get("name") or "").strip()[:200] or conn.name
    changed = sorted(settings) + sorted(secrets) + sorted(tokens)
    if secrets:
        conn.credentials_ciphertext = vault.encrypt_json({**connections.credentials(conn, vault), **secrets})
        if conn.vendor == "moodle":
            conn.tokens_ciphertext = None  # a token fetched with the old login is not the new one
    if tokens:
        connections.store_tokens(conn, vault, tokens)
    connections.set_status(conn, "new", "edited: test it again")
    audit.record(tenant, actor, "connection.edited", "connection", conn.id, fields=changed)
    return conn


@dataclass(frozen=True)
class Consequences:
    """What stops when a connection is removed, for the confirmation page."""

    connection: Connection
    programmes: list[Programme]
    employees: int


def consequences(tenant: Tenant, connection_id: int) -> Consequences:
    """The programmes that would stop enrolling, or how many employees would stop syncing."""
    conn = tenant.get(Connection, connection_id)
    used = tenant.all(Programme, Programme.lms_connection_id == conn.id) if conn.kind == "lms" else []
    people = tenant.count(Employee, Employee.connection_id == conn.id) if conn.kind == "hris" else 0
    return Consequences(conn, sorted(used, key=lambda p: p.id), people)


def remove(tenant: Tenant, connection_id: int, actor: str, *, confirm: str) -> None:
    """Delete the connection and its secrets once the admin typed its name; programmes keep their course id."""
    conn = tenant.get(Connection, connection_id)
    if confirm.strip() != conn.name:
        message = gettext("Type the connection's name, %(name)s, to remove it", name=conn.name)
        raise ValidationError(message, errors={"confirm": message})
    for programme in tenant.all(Programme, Programme.lms_connection_id == conn.id):
        programme.lms_connection_id = None
    audit.record(tenant, actor, "connection.removed", "connection", conn.id, vendor=conn.vendor, name=conn.name)
    tenant.session.delete(conn)
    tenant.session.flush()


def wants_consent(conn: Connection, vault: Vault) -> bool:
    """An OAuth client is stored but no token yet: the admin still has to give the vendor's consent."""
    creds = connections.credentials(conn, vault)
    has_grant = creds.get("refresh_token") or creds.get("api_key") or connections.tokens(conn, vault)
    return bool(creds.get("client_id")) and not has_grant
