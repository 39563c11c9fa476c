"""Secrets at rest: AES-GCM with the deployment's key, bound to where the secret belongs."""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class SecretBoxError(Exception):
    """The sealed value is damaged, or was sealed for another place or with another key."""


class SecretBox:
    """Seals small secrets (users' upstream keys) so a database dump alone does not reveal them.

    Example::

        box = SecretBox.from_setting(os.environ["STRATA_SECRET_KEY"])
        sealed = box.seal("api-key", context="user:42/CDS")
    """

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the secret key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_setting(cls, value: str) -> SecretBox:
        """The key as base64 (32 bytes once decoded), as ``STRATA_SECRET_KEY`` holds it."""
        try:
            return cls(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError) as error:
            raise ValueError("STRATA_SECRET_KEY must be 32 random bytes in base64") from error

    def seal(self, secret: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, secret.encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode()

    def open(self, sealed: str, context: str) -> str:
        try:
            raw = base64.b64decode(sealed, validate=True)
            return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (binascii.Error, ValueError, InvalidTag) as error:
            raise SecretBoxError("cannot open this secret here") from error
