"""Secrets at rest: AES-GCM under DATA_KEY, each ciphertext bound to its row."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from core.crypto import DataCipher, DecryptionFailed

KEY = SecretStr("a-long-random-data-key-for-tests-only-0123456789")
ROW = b"webhook_endpoint:0b6f6f0e-3f5c-4a86-9b8e-0d3c9a1f2e47"
SECRET = b"whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"


def test_a_secret_round_trips() -> None:
    cipher = DataCipher(KEY)
    token = cipher.encrypt(SECRET, associated_data=ROW)
    assert cipher.decrypt(token, associated_data=ROW) == SECRET


def test_the_ciphertext_never_contains_the_plaintext_and_never_repeats() -> None:
    cipher = DataCipher(KEY)
    first = cipher.encrypt(SECRET, associated_data=ROW)
    second = cipher.encrypt(SECRET, associated_data=ROW)
    assert SECRET not in first
    assert SECRET[6:] not in first
    assert first != second  # a fresh nonce each time


def test_a_ciphertext_copied_to_another_row_does_not_decrypt() -> None:
    cipher = DataCipher(KEY)
    token = cipher.encrypt(SECRET, associated_data=ROW)
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(token, associated_data=b"webhook_endpoint:another-endpoint")


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_a_tampered_ciphertext_does_not_decrypt(position: int) -> None:
    cipher = DataCipher(KEY)
    token = bytearray(cipher.encrypt(SECRET, associated_data=ROW))
    token[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(bytes(token), associated_data=ROW)


def test_another_data_key_does_not_decrypt() -> None:
    token = DataCipher(KEY).encrypt(SECRET, associated_data=ROW)
    other = DataCipher(SecretStr("another-long-random-data-key-for-tests-9876543210"))
    with pytest.raises(DecryptionFailed) as refused:
        other.decrypt(token, associated_data=ROW)
    assert SECRET.decode() not in str(refused.value)


def test_a_truncated_ciphertext_is_refused() -> None:
    with pytest.raises(DecryptionFailed):
        DataCipher(KEY).decrypt(b"\x01short", associated_data=ROW)
