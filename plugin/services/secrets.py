"""Re-encrypting every stored secret under the newest key, after FLIPSIDE_ENCRYPTION_KEYS gains one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..vault import Vault

# Every (model, column) holding ciphertext. Later capabilities append theirs here.
ENCRYPTED_COLUMNS: list[tuple[type, str]] = []


def register(model: type, column: str) -> None:
    """Declare a column as encrypted so re-encryption covers it."""
    if (model, column) not in ENCRYPTED_COLUMNS:
        ENCRYPTED_COLUMNS.append((model, column))


def reencrypt_all(session: Session, vault: Vault) -> int:
    """Rotate every stored secret to the first key; returns how many values were rewritten."""
    count = 0
    for model, column in ENCRYPTED_COLUMNS:
        stmt = select(model).where(getattr(model, column).is_not(None)).execution_options(all_tenants=True)
        for row in session.scalars(stmt):  # the key rotation covers every organisation
            setattr(row, column, vault.rotate(getattr(row, column)))
            count += 1
    session.commit()
    return count


def _register_core() -> None:
    from ..models import ChatWebhook, Connection, WebhookEndpoint

    register(Connection, "credentials_ciphertext")
    register(Connection, "tokens_ciphertext")
    register(WebhookEndpoint, "secret_ciphertext")
    register(ChatWebhook, "url_ciphertext")


_register_core()
