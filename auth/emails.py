"""Email addresses as identities: one normal form, so one person has one account."""

from __future__ import annotations

import unicodedata

MAX_EMAIL_LENGTH = 320


class InvalidEmail(ValueError):
    pass


def normalise_email(raw: str) -> str:
    """NFKC, case-folded, surrounding spaces removed; raises InvalidEmail when malformed."""
    email = unicodedata.normalize("NFKC", raw).strip().casefold()
    local, at, domain = email.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain.strip(".")
        or len(email) > MAX_EMAIL_LENGTH
        or any(char.isspace() for char in email)
    ):
        raise InvalidEmail("is not an email address")
    return email
