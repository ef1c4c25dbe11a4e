"""Access granted by hand: an HR admin makes someone HR admin, or coordinator of one programme, and back."""

from __future__ import annotations

from flask import redirect, render_template, request, session

from ...errors import ValidationError
from ...models import Programme
from ...services import access, chat_channels
from . import bp, tenant


def _actor() -> str:
    return "hr:" + (session["user"].get("email") or "admin")


def _form() -> tuple[str, str, int | None]:
    raw = request.form.get("programme_id", "").strip()
    if raw and not raw.isdigit():
        raise ValidationError("Pick a programme from the list", errors={"programme_id": raw[:20]})
    return request.form.get("email", ""), request.form.get("role", ""), int(raw) if raw else None


def _page(errors: dict | None = None, status: int = 200):
    programmes = sorted(tenant().all(Programme), key=lambda p: p.name)
    return render_template(
        "admin/access.html",
        grants=access.grants(tenant()),
        programmes=programmes,
        coordinator_chats=chat_channels.of_coordinators(tenant()),
        errors=errors or {},
    ), status


@bp.get("/access")
def access_list():
    return _page()


@bp.post("/access")
def access_grant():
    email, role, programme_id = _form()
    try:
        access.grant(tenant(), email, role, programme_id, actor=_actor())
    except ValidationError as exc:
        return _page(exc.errors or {"form": exc.message}, 400)
    return redirect("/admin/access", code=303)


@bp.post("/access/revoke")
def access_revoke():
    email, role, programme_id = _form()
    access.revoke(tenant(), email, role, programme_id, actor=_actor())
    return redirect("/admin/access", code=303)
