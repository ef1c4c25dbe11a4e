"""A development LMS for the demo only (never registered in production): it launches demo users into Flipside
through the real OIDC login and launch, signing id_tokens with its own key."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import db
from ..models import Employee, Pair
from ..models.lti import LtiRegistration
from .identity import deployment_organisations
from .registrations import PlatformInput, attach_organisation, save_platform

bp = Blueprint("devplatform", __name__, url_prefix="/dev/lms")
CLIENT_ID, DEPLOYMENT_ID, KID = "flipside-dev-lms", "dev-1", "dev-lms-key"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
INSTRUCTOR = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
ADMINISTRATOR = ["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator", *INSTRUCTOR]


@dataclass(frozen=True)
class Persona:
    """Someone the development LMS can launch: who they are in the demo, their LMS roles and language."""

    key: str
    label: str
    roles: tuple[str, ...]
    locale: str = "en"


PERSONAS = {
    p.key: p
    for p in (
        Persona("mentor", "Paired junior mentor (Learner)", tuple(LEARNER)),
        Persona("executive", "Paired executive (Learner)", tuple(LEARNER)),
        Persona("learner_ja", "Paired learner, in Japanese (Learner)", tuple(LEARNER), "ja"),
        Persona("learner", "Participant not yet paired (Learner)", tuple(LEARNER)),
        Persona("coordinator", "Programme coordinator (course Instructor)", tuple(INSTRUCTOR)),
        Persona("admin", "HR admin (institution Administrator)", tuple(ADMINISTRATOR)),
    )
}


def issuer(base_url: str) -> str:
    return base_url + "/dev/lms"


def _private_key(instance_path: str) -> rsa.RSAPrivateKey:
    """The dev LMS key, kept in the instance folder (development only)."""
    path = Path(instance_path) / "dev-lms-key.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _jwks(key: rsa.RSAPrivateKey) -> dict:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {"keys": [dict(jwk, kid=KID, alg="RS256", use="sig")]}


def register(session: Session, settings, organisation_id: int) -> LtiRegistration:
    """Register the dev LMS (static keys, no network) and let its deployment serve the organisation."""
    base = settings.base_url
    row = save_platform(
        session,
        PlatformInput(
            issuer=issuer(base),
            client_id=CLIENT_ID,
            name="Flipside development LMS",
            product="other",
            auth_login_url=issuer(base) + "/auth",
            auth_token_url=issuer(base) + "/token",
            key_set_url=issuer(base) + "/jwks",
            deployment_ids=(DEPLOYMENT_ID,),
        ),
    )
    row.key_set = _jwks(_private_key(settings.instance_path))
    session.commit()
    attach_organisation(session, row.id, DEPLOYMENT_ID, organisation_id)
    return row


def demo_users(session: Session, organisation_id: int) -> dict[str, Employee]:
    """The people behind each persona, from the organisation's own employees and pairs: a paired mentor and
    executive, a second paired learner who reads Japanese, a participant in no pair, a coordinator and an HR
    admin (the most senior). Personas nobody fits are left out."""
    scoped = {"organisation_id": organisation_id}
    rows = session.scalars(
        select(Employee)
        .where(Employee.active.is_(True), Employee.work_email.is_not(None))
        .order_by(Employee.job_level, Employee.id)
        .limit(5000),
        execution_options=scoped,
    ).all()
    if not rows:
        return {}
    pairs = session.scalars(
        select(Pair).where(Pair.status.in_(("active", "approved"))).order_by(Pair.id).limit(200),
        execution_options=scoped,
    ).all()
    paired = {pid for p in pairs for pid in (p.mentor_employee_id, p.mentee_employee_id)}
    by_id = {e.id: e for e in rows}
    admin = max(rows, key=lambda e: (e.job_level or 0, -e.id))
    users: dict[str, Employee] = {}
    if pairs and pairs[0].mentor_employee_id in by_id and pairs[0].mentee_employee_id in by_id:
        users["mentor"], users["executive"] = by_id[pairs[0].mentor_employee_id], by_id[pairs[0].mentee_employee_id]
    others = [by_id[p.mentee_employee_id] for p in pairs[1:] if p.mentee_employee_id in by_id]
    japanese = [e for e in others if e.country == "JP"] or others
    if japanese:
        users["learner_ja"] = japanese[0]
    unpaired = [e for e in rows if e.id not in paired and e.id != admin.id]
    if unpaired:
        users["learner"] = unpaired[0]
    taken = {admin.id, *(e.id for e in users.values())}
    seniors = [e for e in reversed(rows) if e.id not in paired and e.id not in taken]
    if seniors:
        users["coordinator"] = seniors[0]
    users["admin"] = admin
    return users


def _registration() -> LtiRegistration | None:
    base = current_app.config["FLIPSIDE"].base_url
    return db.session.scalar(
        select(LtiRegistration).where(LtiRegistration.issuer == issuer(base), LtiRegistration.client_id == CLIENT_ID)
    )


@bp.get("/")
def home():
    reg = _registration()
    orgs = deployment_organisations(db.session, reg.id, DEPLOYMENT_ID) if reg else ()
    users = demo_users(db.session, orgs[0]) if orgs else {}
    return render_template(
        "lti/devplatform.html",
        users=[(PERSONAS[key], employee) for key, employee in users.items()],
        reg=reg,
        base=current_app.config["FLIPSIDE"].base_url,
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
    )


@bp.get("/jwks")
def jwks():
    return _jwks(_private_key(current_app.config["FLIPSIDE"].instance_path))


@bp.get("/auth")
def auth():
    """The LMS side of the OIDC login: check the request, sign an id_token, form_post it back."""
    args, base = request.args, current_app.config["FLIPSIDE"].base_url
    if args.get("redirect_uri") != base + "/lti/launch" or args.get("client_id") != CLIENT_ID:
        abort(400, "unregistered redirect_uri or client_id")
    who, _, employee_id = (args.get("login_hint") or "").partition(":")
    employee = (
        db.session.get(Employee, int(employee_id), execution_options={"all_tenants": True})
        if employee_id.isdigit()
        else None
    )  # the development LMS signs in anyone it lists
    if who not in PERSONAS or employee is None:
        abort(400, "unknown login_hint")
    persona = PERSONAS[who]
    now = int(time.time())
    claims = {
        "iss": issuer(base),
        "aud": CLIENT_ID,
        "sub": f"dev-{employee.id}",
        "iat": now,
        "exp": now + 60,
        "nonce": args.get("nonce"),
        "email": employee.work_email,
        "name": f"{employee.first_name} {employee.last_name}",
        CLAIM + "roles": list(persona.roles),
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": DEPLOYMENT_ID,
        CLAIM + "target_link_uri": base + "/lti/launch",
        CLAIM + "resource_link": {"id": "dev-course-home"},
        CLAIM + "context": {"id": "dev-course", "title": "Reverse mentoring (demo course)"},
        CLAIM + "launch_presentation": {"locale": persona.locale},
        "jti": uuid.uuid4().hex,
    }
    key = _private_key(current_app.config["FLIPSIDE"].instance_path)
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})
    return render_template(
        "lti/devplatform_post.html", action=args["redirect_uri"], token=token, state=args.get("state", "")
    )
