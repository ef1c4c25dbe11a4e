"""Chat channels: the Slack or Teams incoming webhooks weekly digests are posted to, a programme's (its
digest) or a coordinator's own (the digest of their programmes, to their URL only; one each).

The URL is checked (https, the vendor's own webhook hosts only: domain.chat) and stored encrypted; HR
sees the vendor and host, never the URL again.
"""

from __future__ import annotations

from sqlalchemy import func

from ..domain import chat
from ..domain.roles import COORDINATOR
from ..errors import ValidationError
from ..models import AccessGrant, ChatWebhook, Programme
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


def set_for_coordinator(
    tenant: Tenant, vault: Vault, email: str, url: str, actor: str, *, loopback: bool = False
) -> ChatWebhook:
    """Store a checked webhook URL as this coordinator's own, replacing theirs (ValidationError for anything
    else, or for someone who coordinates no programme)."""
    email = (email or "").strip().lower()
    if not tenant.count(AccessGrant, func.lower(AccessGrant.email) == email, AccessGrant.role == COORDINATOR):
        raise ValidationError("Only a programme coordinator has a chat channel of their own", errors={"email": email})
    vendor = chat.vendor_of(url, loopback=loopback)
    for old in of_coordinators(tenant, email):
        tenant.session.delete(old)
    row = tenant.add(
        ChatWebhook(
            coordinator_email=email,
            vendor=vendor,
            host=chat.host_of(url),
            url_ciphertext=vault.encrypt(url.strip()),
            created_by=actor[:120],
        )
    )
    tenant.session.flush()
    audit.record(tenant, actor, "chat_webhook.added", "chat_webhook", row.id, vendor=vendor, coordinator=email)
    return row


def remove(tenant: Tenant, webhook_id: int, actor: str) -> None:
    row = tenant.get(ChatWebhook, webhook_id)
    audit.record(
        tenant,
        actor,
        "chat_webhook.removed",
        "chat_webhook",
        row.id,
        programme_id=row.programme_id,
        coordinator=row.coordinator_email,
    )
    tenant.session.delete(row)
    tenant.session.flush()


def of_programmes(tenant: Tenant, programme_ids=None) -> list[ChatWebhook]:
    """The organisation's programme webhooks (of these programmes only, if given), oldest first."""
    criteria = [ChatWebhook.programme_id.is_not(None)]
    if programme_ids is not None:
        criteria.append(ChatWebhook.programme_id.in_(list(programme_ids)))
    return sorted(tenant.all(ChatWebhook, *criteria), key=lambda w: w.id)


def of_coordinators(tenant: Tenant, email: str | None = None) -> list[ChatWebhook]:
    """The coordinators' own webhooks (this coordinator's only, if given), oldest first."""
    criteria = [ChatWebhook.coordinator_email.is_not(None)]
    if email is not None:
        criteria.append(ChatWebhook.coordinator_email == email.strip().lower())
    return sorted(tenant.all(ChatWebhook, *criteria), key=lambda w: w.id)


def url_of(vault: Vault, webhook: ChatWebhook) -> str:
    return vault.decrypt(webhook.url_ciphertext)
