"""The one role guard: who is signed in, and which room they are in on this request.

Every page, the jobs board, the token page and the LTI admin form ask this module; nothing else compares
role strings. The room is worked out again on every request from the LMS role kept at launch and the
grants in the database, so a revoked grant stops working at once.
"""

from __future__ import annotations

from flask import request, session

from ..db import db
from ..domain.roles import COORDINATOR, HR_ADMIN
from ..errors import Forbidden, NotFound
from ..services.access import Access, pair_regions, resolve
from ..services.tenant import Tenant

STAFF = (HR_ADMIN, COORDINATOR)


class NotSignedIn(Forbidden):
    """No launch from the LMS (or admin login link) in this browser yet."""

    code = "not_signed_in"
    status = 401
    title = "Please sign in"
    advice = "Once signed in, open this address again."

    def __init__(self):
        super().__init__(
            "Open Flipside from your course in the LMS to sign in, or use a login link from "
            "`flipside admin login-link ORGANISATION`."
        )


def signed_in() -> dict:
    """The session's user (ids only), or NotSignedIn."""
    user = session.get("user")
    if not user or not user.get("organisation_id"):
        raise NotSignedIn()
    return user


def current() -> Access:
    """This request's access, computed once per request (kept in the WSGI environ: `g` belongs to the app
    context, which can outlive one request)."""
    if "flipside.access" not in request.environ:
        user = signed_in()
        # sessions made before grants existed carry only "role"; a granted room is never kept as the LMS one
        lms_role = user["lms_role"] if "lms_role" in user else user.get("role")
        request.environ["flipside.access"] = resolve(
            Tenant(db.session, user["organisation_id"]), lms_role, user.get("email") or "", user.get("courses") or ()
        )
    return request.environ["flipside.access"]


def require(*rooms: str) -> Access:
    """The caller's access if they are in one of these rooms, else Forbidden (401 when not signed in)."""
    access = current()
    if access.role not in rooms:
        raise Forbidden(
            "This page is for HR admins."
            if rooms == (HR_ADMIN,)
            else "This page is for HR admins and programme coordinators."
        )
    return access


def actor() -> str:
    """Who is acting, for the audit trail: their room now and the person (employee id, else the LMS email,
    else how they signed in, e.g. a login link)."""
    user = signed_in()
    who = (
        f"employee:{user['employee_id']}"
        if user.get("employee_id")
        else user.get("email") or user.get("launch_id") or "unknown"
    )
    return f"{current().role}:{who}"[:120]


def programme(programme_id: int) -> Access:
    """Staff who may see this programme; a coordinator gets 404 for others (they need not know it exists)."""
    access = require(*STAFF)
    if not access.may_see_programme(programme_id):
        raise NotFound(f"No programme {programme_id} in this organisation")
    return access


def pair(found) -> Access:
    """Staff who may see this pair: its programme is in reach, or (a regional coordinator) a partner works
    in a granted region; anyone else gets 404."""
    access = require(*STAFF)
    if access.may_see_programme(found.programme_id):
        return access
    if not access.regions or not access.may_see_pair(found.programme_id, pair_regions(_tenant(), found)):
        raise NotFound(f"No pair {found.id} in this organisation")
    return access


def _tenant() -> Tenant:
    return Tenant(db.session, signed_in()["organisation_id"])
