"""Chat channels (Slack or Teams incoming webhooks weekly digests are posted to): HR admins add one to a
programme, or set a coordinator's own (on the access page), by pasting the URL the vendor gave them, and
remove it; the pages show the vendor and host only."""

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


@bp.post("/access/chat")
def coordinator_chat_set():
    vault = current_app.extensions["flipside.vault"]
    try:
        chat_channels.set_for_coordinator(
            tenant(), vault, request.form.get("email", ""), request.form.get("url", ""), access.actor()
        )
    except ValidationError as err:
        if "email" in (err.errors or {}):
            flash(_("Only someone who coordinates a programme has a chat channel of their own: grant it first."))
        else:
            flash(
                _(
                    "That is not an incoming-webhook address Flipside posts to: paste the https address Slack "
                    "(hooks.slack.com) or Microsoft Teams (webhook.office.com, or a Teams workflow) gave you."
                )
            )
    else:
        flash(_("The coordinator's chat channel is saved: their weekly digest is posted there."))
    return redirect("/admin/access#chat", code=303)


@bp.post("/chat/<int:webhook_id>/remove")
def chat_channel_remove(webhook_id: int):
    row = tenant().get(ChatWebhook, webhook_id)
    programme_id = row.programme_id
    chat_channels.remove(tenant(), row.id, access.actor())
    flash(_("The chat channel is removed."))
    if programme_id is None:
        return redirect("/admin/access#chat", code=303)
    return redirect(f"/admin/programmes/{programme_id}/#chat", code=303)
