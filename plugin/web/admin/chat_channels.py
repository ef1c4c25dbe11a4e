"""A programme's chat channels (Slack or Teams incoming webhooks its weekly digest is posted to): HR admins
add one by pasting the URL the vendor gave them, and remove it; the page shows the vendor and host only."""

from __future__ import annotations

from flask import current_app, flash, redirect, request
from flask_babel import gettext as _

from ...errors import ValidationError
from ...models import ChatWebhook, Programme
from ...services import chat_channels
from .. import access
from . import bp, tenant


@bp.post("/programmes/<int:programme_id>/chat")
def chat_channel_add(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    vault = current_app.extensions["flipside.vault"]
    try:
        chat_channels.add(tenant(), vault, programme.id, request.form.get("url", ""), access.actor())
    except ValidationError:
        flash(
            _(
                "That is not an incoming-webhook address Flipside posts to: paste the https address Slack "
                "(hooks.slack.com) or Microsoft Teams (webhook.office.com, or a Teams workflow) gave you."
            )
        )
    else:
        flash(_("The chat channel is added: the programme's weekly digest is posted there."))
    return redirect(f"/admin/programmes/{programme.id}/#chat", code=303)


@bp.post("/chat/<int:webhook_id>/remove")
def chat_channel_remove(webhook_id: int):
    row = tenant().get(ChatWebhook, webhook_id)
    programme_id = row.programme_id
    chat_channels.remove(tenant(), row.id, access.actor())
    flash(_("The chat channel is removed."))
    return redirect(f"/admin/programmes/{programme_id}/#chat", code=303)
