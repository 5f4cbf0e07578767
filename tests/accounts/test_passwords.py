"""argon2id hashing off the event loop, upgrades of old hashes, and the password policy."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from auth.passwords import (
    HASH_OPERATIONS,
    HASHER,
    PasswordRejected,
    check_password_policy,
    dummy_hash,
    hash_password,
    verify_password,
)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short pass", "PASSWORD_TOO_SHORT"),
        ("x" * 129, "PASSWORD_TOO_LONG"),
        ("password1234", "PASSWORD_TOO_COMMON"),
        ("QWERTYUIOP12", "PASSWORD_TOO_COMMON"),
    ],
)
def test_policy_refuses_short_long_and_common_passwords(password: str, code: str) -> None:
    with pytest.raises(PasswordRejected) as refused:
        check_password_policy(password)
    assert refused.value.code == code


def test_policy_counts_characters_exactly_as_given() -> None:
    check_password_policy("  eleven ch  ")  # 13 characters with its spaces: not trimmed
    check_password_policy("x" * 128)
    check_password_policy("pässwörd-mit-ümlauten")
    with pytest.raises(PasswordRejected):
        check_password_policy("   short   ")  # 11 characters


async def test_hash_is_argon2id_with_rfc_9106_parameters_and_verifies() -> None:
    hashed = await hash_password("a long enough passphrase")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert (await verify_password(hashed, "a long enough passphrase")).valid
    assert not (await verify_password(hashed, "a long enough passphrasE")).valid


async def test_an_outdated_hash_is_upgraded_on_a_successful_login() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("old but correct pw")
    wrong = await verify_password(weak, "not the password at all")
    assert wrong.valid is False
    assert wrong.upgraded_hash is None
    right = await verify_password(weak, "old but correct pw")
    assert right.valid
    assert right.upgraded_hash is not None
    assert not HASHER.check_needs_rehash(right.upgraded_hash)
    current = await verify_password(right.upgraded_hash, "old but correct pw")
    assert current.valid
    assert current.upgraded_hash is None


async def test_an_unknown_user_costs_the_same_hashing_work() -> None:
    real = await hash_password("someone's real password")
    before = HASH_OPERATIONS[0]
    known = await verify_password(real, "a wrong guess here")
    after_known = HASH_OPERATIONS[0]
    unknown = await verify_password(None, "a wrong guess here")
    after_unknown = HASH_OPERATIONS[0]
    assert known.valid is False
    assert unknown.valid is False
    assert after_known - before == after_unknown - after_known == 1
    # The dummy hash uses today's parameters, so it costs what a real verification costs.
    assert not HASHER.check_needs_rehash(dummy_hash())
