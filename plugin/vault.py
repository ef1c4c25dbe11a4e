"""Secrets at rest: MultiFernet over FLIPSIDE_ENCRYPTION_KEYS (the first key encrypts, all decrypt)."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import ConfigError, FlipsideError


class SecretUnreadable(FlipsideError):
    """A stored secret could not be decrypted with any configured key."""

    code = "secret_unreadable"


class Vault:
    """Encrypts and decrypts small secrets; never logs or repr()s them."""

    def __init__(self, keys: tuple[str, ...] | list[str]):
        if not keys:
            raise ConfigError("FLIPSIDE_ENCRYPTION_KEYS is empty: at least one Fernet key is needed")
        try:
            self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
        except ValueError as exc:
            raise ConfigError(
                "FLIPSIDE_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from exc

    def __repr__(self) -> str:
        return "<Vault>"

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("A stored secret cannot be decrypted with the configured keys") from exc

    def encrypt_json(self, value: dict) -> bytes:
        return self.encrypt(json.dumps(value, separators=(",", ":")))

    def decrypt_json(self, token: bytes | None) -> dict:
        return json.loads(self.decrypt(token)) if token else {}

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt a token under the first (newest) key."""
        try:
            return self._fernet.rotate(bytes(token))
        except InvalidToken as exc:
            raise SecretUnreadable("A stored secret cannot be decrypted with the configured keys") from exc


def generate_key() -> str:
    """A new Fernet key for FLIPSIDE_ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode()
