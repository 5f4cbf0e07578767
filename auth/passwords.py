"""Password hashing with argon2id, off the event loop, and the password policy.

Parameters: RFC 9106's low-memory recommendation (t=3, m=64 MiB, p=4), above OWASP's minimum.
A stored hash made with weaker parameters is upgraded at the next successful login. Hashing
runs in a small thread pool behind a cap, so a burst of logins cannot exhaust memory or stall
the event loop; unknown users are verified against a dummy hash so timing reveals nothing.
"""

from __future__ import annotations

import asyncio
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.outcomes import UserErrorCode

MIN_LENGTH = 12
MAX_LENGTH = 128
MAX_CONCURRENT_HASHES = 4

HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
_EXECUTOR = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_HASHES, thread_name_prefix="argon2")
_SLOTS: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# argon2 computations run by this process (hash or verify): a metric, and the proof in tests
# that an unknown user costs the same work as a known one.
HASH_OPERATIONS = [0]


class PasswordRejected(ValueError):
    """A password the policy refuses; `code` is stable, the message is for people."""

    def __init__(self, code: UserErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def check_password_policy(password: str) -> None:
    """12 to 128 characters, taken exactly as given (no trimming), not a common password."""
    length = len(unicodedata.normalize("NFC", password))
    if length < MIN_LENGTH:
        raise PasswordRejected(
            UserErrorCode.PASSWORD_TOO_SHORT, f"must be at least {MIN_LENGTH} characters"
        )
    if length > MAX_LENGTH:
        raise PasswordRejected(
            UserErrorCode.PASSWORD_TOO_LONG, f"must be at most {MAX_LENGTH} characters"
        )
    if password.casefold() in _common_passwords():
        raise PasswordRejected(
            UserErrorCode.PASSWORD_TOO_COMMON, "is one of the most common passwords"
        )


async def _in_pool(function: object, *args: str) -> object:
    loop = asyncio.get_running_loop()
    slots = _SLOTS.get(loop)
    if slots is None:
        slots = _SLOTS[loop] = asyncio.Semaphore(MAX_CONCURRENT_HASHES)
    async with slots:
        HASH_OPERATIONS[0] += 1
        return await loop.run_in_executor(_EXECUTOR, function, *args)  # type: ignore[arg-type]


async def hash_password(password: str) -> str:
    hashed = await _in_pool(HASHER.hash, password)
    assert isinstance(hashed, str)
    return hashed


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return HASHER.hash("dummy password for users that do not exist")


@dataclass(frozen=True)
class PasswordCheck:
    valid: bool
    # A fresh hash to store when the stored one used outdated parameters.
    upgraded_hash: str | None = None


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> PasswordCheck:
    """Check a password; with no stored hash, do the same work and fail."""
    if stored_hash is None:
        await _in_pool(_verify, dummy_hash(), password)
        return PasswordCheck(valid=False)
    valid = await _in_pool(_verify, stored_hash, password)
    if not valid:
        return PasswordCheck(valid=False)
    if HASHER.check_needs_rehash(stored_hash):
        return PasswordCheck(valid=True, upgraded_hash=await hash_password(password))
    return PasswordCheck(valid=True)
