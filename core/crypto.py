"""Encryption of secrets at rest (webhook secrets, later TOTP seeds) under `DATA_KEY`.

AES-256-GCM with a key derived from `DATA_KEY` by HKDF-SHA256, so any long random string
makes a proper key. Each ciphertext is bound to the row it belongs to through associated
data: a secret copied into another row, or another table, no longer decrypts.

Layout: one version byte, a 12-byte random nonce, then the ciphertext with its GCM tag. The
version byte leaves room for a new scheme or key without guessing what old rows hold.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

VERSION = b"\x01"
NONCE_BYTES = 12
KEY_INFO = b"tradeql data key v1"


class DecryptionFailed(Exception):
    """The ciphertext was altered, belongs to another row, or was made under another key."""


def derive_key(secret: SecretStr, info: bytes = KEY_INFO) -> bytes:
    """A 32-byte key for one use (`info`) from a long random setting; other uses get others."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        secret.get_secret_value().encode()
    )


class DataCipher:
    """Encrypts and decrypts small secrets; build one per process from the settings."""

    def __init__(self, data_key: SecretStr) -> None:
        self._aead = AESGCM(derive_key(data_key))

    def encrypt(self, plaintext: bytes, *, associated_data: bytes) -> bytes:
        # A random 96-bit nonce is safe for far more secrets than this table will ever hold.
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def decrypt(self, token: bytes, *, associated_data: bytes) -> bytes:
        if token[:1] != VERSION or len(token) <= 1 + NONCE_BYTES:
            raise DecryptionFailed("unknown ciphertext format")
        nonce, ciphertext = token[1 : 1 + NONCE_BYTES], token[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, ciphertext, associated_data)
        except InvalidTag:
            raise DecryptionFailed(
                "ciphertext does not decrypt with this DATA_KEY for this row"
            ) from None
