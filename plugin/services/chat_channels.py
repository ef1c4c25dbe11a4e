"""A programme's chat channels: the Slack or Teams incoming webhooks its weekly digest is posted to.

The URL is checked (https, the vendor's own webhook hosts only: domain.chat) and stored encrypted; HR
sees the vendor and host, never the URL again.
"""

from __future__ import annotations

from ..domain import chat
from ..models import ChatWebhook, Programme
from ..vault import Vault
from . import audit
from .tenant import Tenant


def add(
    tenant: Tenant, vault: Vault, programme_id: int, url: str, actor: str, *, loopback: bool = False
) -> ChatWebhook:
    """Store a checked webhook URL for the programme (ValidationError for anything else; `loopback`: an emulator's)."""
    programme = tenant.get(Programme, programme_id)
    vendor = chat.vendor_of(url, loopback=loopback)
    row = tenant.add(
        ChatWebhook(
            programme_id=programme.id,
            vendor=vendor,
            host=chat.host_of(url),
            url_ciphertext=vault.encrypt(url.strip()),
            created_by=actor[:120],
        )
    )
    tenant.session.flush()
    audit.record(tenant, actor, "chat_webhook.added", "chat_webhook", row.id, vendor=vendor, programme_id=programme.id)
    return row


def remove(tenant: Tenant, webhook_id: int, actor: str) -> None:
    row = tenant.get(ChatWebhook, webhook_id)
    audit.record(tenant, actor, "chat_webhook.removed", "chat_webhook", row.id, programme_id=row.programme_id)
    tenant.session.delete(row)
    tenant.session.flush()


def of_programmes(tenant: Tenant, programme_ids=None) -> list[ChatWebhook]:
    """The organisation's webhooks (of these programmes only, if given), oldest first."""
    criteria = [] if programme_ids is None else [ChatWebhook.programme_id.in_(list(programme_ids))]
    return sorted(tenant.all(ChatWebhook, *criteria), key=lambda w: w.id)


def url_of(vault: Vault, webhook: ChatWebhook) -> str:
    return vault.decrypt(webhook.url_ciphertext)
