"""Messages that could not be delivered (email, chat), with the reason, and a retry button.

HR admins see the whole organisation; a coordinator sees those of their programmes' participants and chat
channels (a failed message outside them is not found).
"""

from __future__ import annotations

from flask import redirect, render_template

from ...services import deliveries
from .. import access
from . import bp, tenant


@bp.get("/deliveries")
def delivery_failures():
    reach = access.current().programme_ids
    return render_template("admin/deliveries.html", failures=deliveries.failed(tenant(), reach))


@bp.post("/deliveries/<int:message_id>/retry")
def delivery_retry(message_id: int):
    deliveries.retry(tenant(), message_id, access.actor(), access.current().programme_ids)
    return redirect("/admin/deliveries", code=303)
