"""Opaque secrets: 256 random bits, given to their owner once, stored only as SHA-256.

A prefix says what a token is (`tqa_` access, `tqr_` refresh, `tqk_` API key...), which helps
secret scanners and people, and lets the server reject a token used in the wrong place.
"""

from __future__ import annotations

import hashlib
import secrets

ACCESS = "tqa_"
REFRESH = "tqr_"
API_KEY = "tqk_"
MFA_CHALLENGE = "tqm_"
LINK = "tql_"  # invitation and password-reset links
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes: 0/o, 1/l/i


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The stored form. High-entropy tokens need no slow hash; guessing one is hopeless."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_recovery_code() -> str:
    """`xxxxx-xxxxx`: about 49 bits, single use, easy to type from paper."""
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_recovery_code(code: str) -> str:
    compact = "".join(code.lower().split()).replace("-", "")
    return f"{compact[:5]}-{compact[5:]}"
