"""People and programs that call TradeQL: users, their sessions and factors, API keys.

No secret is stored as given: passwords as argon2id hashes, tokens and API keys as SHA-256
hashes (they are high-entropy, so a fast hash is enough), TOTP seeds encrypted with DATA_KEY.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    column,
    func,
    literal_column,
    text,
)
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column, updated_at_column


class Role(StrEnum):
    ADMIN = "admin"
    CATALOG_MANAGER = "catalog_manager"
    SALES = "sales"
    FINANCE = "finance"
    SUPPORT = "support"
    CLIENT = "client"
    # Only for API keys: a headless storefront reading the public catalog.
    STOREFRONT = "storefront"


STAFF_ROLES = frozenset({Role.ADMIN, Role.CATALOG_MANAGER, Role.SALES, Role.FINANCE, Role.SUPPORT})
USER_ROLES = STAFF_ROLES | {Role.CLIENT}
API_KEY_ROLES = (STAFF_ROLES - {Role.ADMIN}) | {Role.STOREFRONT}


class TokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a password


# "Never signed in" sorts as this moment, so the last-sign-in order has a NOT NULL key. Spelt
# as a literal (not a parameter) so the statement's key matches its index expression.
NEVER_SIGNED_IN = "1970-01-01 00:00:00+00:00"


LAST_SIGNED_IN_INDEX_KEY = (
    "COALESCE(last_signed_in_at, '1970-01-01 00:00:00+00'::timestamp with time zone)"
)


def last_signed_in_key(column: Any) -> Any:
    """The users list's last-sign-in sort key: the column, coalesced to NEVER_SIGNED_IN."""
    return func.coalesce(column, literal_column(f"'{NEVER_SIGNED_IN}'"))


def _roles_check(column: str, roles: frozenset[Role] | set[Role]) -> str:
    return f"{column} IN ({', '.join(repr(role.value) for role in sorted(roles))})"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_roles_check("role", USER_ROLES), name="role_known"),
        CheckConstraint(
            "(role = 'client') = (client_company_id IS NOT NULL)",
            name="client_users_belong_to_a_company",
        ),
        # The staff users list: by name, by email, by last sign-in, and a prefix search of
        # names (any case) and of emails (stored case-folded), each served by an index.
        Index(None, "full_name", "id"),
        Index(None, "email", "id"),
        Index(
            "ix_users_last_signed_in_key_id",
            # As PostgreSQL spells `last_signed_in_key` back, so migrations compare equal.
            text(LAST_SIGNED_IN_INDEX_KEY),
            "id",
            info={"only_on": "postgresql"},
        ),
        Index(
            "ix_users_full_name_lower_prefix",
            func.lower(column("full_name")).label("full_name_lower"),
            postgresql_ops={"full_name_lower": "text_pattern_ops"},
            info={"only_on": "postgresql"},
        ),
        Index(
            "ix_users_email_prefix",
            "email",
            postgresql_ops={"email": "text_pattern_ops"},
            info={"only_on": "postgresql"},
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    # Normalised (NFKC, case-folded) before storage, so the unique index means one person.
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    full_name: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    role: Role = Field(sa_column=Column(String(32), nullable=False))
    client_company_id: int | None = Field(
        default=None,
        sa_column=Column(
            BigId,
            ForeignKey("client_companies.id", ondelete="RESTRICT"),
            nullable=True,
            index=True,
        ),
    )
    # Null until an invited user sets one.
    password_hash: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    password_changed_at: datetime | None = Field(
        default=None, sa_column=Column(Moment(), nullable=True)
    )
    disabled_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    totp_secret_ciphertext: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    totp_confirmed_at: datetime | None = Field(
        default=None, sa_column=Column(Moment(), nullable=True)
    )
    # The last TOTP time step accepted: a conditional update on it refuses replays.
    totp_last_step: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # Set when a sign-in issues a session (password, or password and second factor); a
    # refresh is not a sign-in. Null for someone who never signed in.
    last_signed_in_at: datetime | None = Field(
        default=None, sa_column=Column(Moment(), nullable=True)
    )
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_at_column())

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def has_mfa(self) -> bool:
        return self.totp_confirmed_at is not None


def _user_fk() -> Column[int]:
    return Column(BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)


class UserSession(SQLModel, table=True):
    """One access + refresh token pair. Refreshing replaces the row within the same family."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    user_id: int = Field(sa_column=_user_fk())
    family_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    access_token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    refresh_token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    mfa_verified: bool = False
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    last_used_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    access_expires_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    idle_expires_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    absolute_expires_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    # Set when refreshed (rotated) or ended; a rotated refresh token presented again is theft.
    rotated_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    client_ip: str = Field(default="", sa_column=Column(String(64), nullable=False, default=""))
    user_agent: str = Field(default="", sa_column=Column(String(300), nullable=False, default=""))


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    user_id: int = Field(sa_column=_user_fk())
    code_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    used_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))


class UserToken(SQLModel, table=True):
    """Single-use, expiring links sent by mail: invitations and password resets."""

    __tablename__ = "user_tokens"
    __table_args__ = (
        CheckConstraint(_roles_check("purpose", set(TokenPurpose)), name="purpose_known"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    user_id: int = Field(sa_column=_user_fk())
    purpose: TokenPurpose = Field(sa_column=Column(String(32), nullable=False))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    expires_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class MfaChallenge(SQLModel, table=True):
    """Proof that the password was right, good only for completing MFA, for a few minutes."""

    __tablename__ = "mfa_challenges"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    user_id: int = Field(sa_column=_user_fk())
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    expires_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))


class ApiKey(SQLModel, table=True):
    """A storefront's or partner's key: a role (never admin), hashed at rest, revocable."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(_roles_check("role", API_KEY_ROLES), name="role_not_admin"),
        CheckConstraint("budget_size IS NULL OR budget_size > 0", name="budget_size_positive"),
        CheckConstraint(
            "budget_restore_rate IS NULL OR budget_restore_rate > 0",
            name="budget_restore_rate_positive",
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    role: Role = Field(sa_column=Column(String(32), nullable=False))
    # The key's first characters, shown in listings so people can tell keys apart.
    prefix: str = Field(sa_column=Column(String(16), nullable=False))
    key_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    last_used_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    # The key's own budget of query-cost points, each part in place of its role's when set.
    budget_size: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    budget_restore_rate: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
