"""/dev/mail/: the development mailbox, to read what Flipside sent. Registered only outside production.

It reads every organisation's messages (the all_tenants escape hatch) because it serves the developer
of the demo install, never a tenant; create_app does not register it when FLIPSIDE_ENV=production.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from ..db import db
from ..errors import NotFound
from ..models import OutboundMessage

bp = Blueprint("dev_mail", __name__, url_prefix="/dev/mail")
SHOWN = 200


@bp.get("/")
def inbox():
    """The newest messages, every state (queued, sent, failed, skipped)."""
    rows = db.session.scalars(
        select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(SHOWN).execution_options(all_tenants=True)
    )
    return render_template("dev/mail.html", rows=list(rows))


@bp.get("/<int:message_id>")
def message(message_id: int):
    """One message: headers, plain text and any calendar invitation (HTML is not rendered on our origin)."""
    row = db.session.scalar(
        select(OutboundMessage).where(OutboundMessage.id == message_id).execution_options(all_tenants=True)
    )
    if row is None:
        raise NotFound(f"no message {message_id}")
    return render_template("dev/message.html", row=row)
