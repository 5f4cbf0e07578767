"""Accounts as the API shows them: users, sessions, the tokens of a login, TOTP enrolment."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Self

import strawberry

from admin_queries import accounts as people
from auth.login import IssuedChallenge
from auth.sessions import IssuedSession
from core.global_id import encode_global_id
from models.accounts import User
from resolvers.accounts.sessions import SessionListing
from schema.clients.types import ClientCompany
from schema.info import Info


@strawberry.enum(description="What a user is: one of the staff roles, or a client company's user.")
class UserRole(Enum):
    ADMIN = strawberry.enum_value("admin", description="Everything, including managing users.")
    CATALOG_MANAGER = strawberry.enum_value(
        "catalog_manager", description="Edits the catalog; sees cost prices and margins."
    )
    SALES = strawberry.enum_value(
        "sales", description="Handles clients, inquiries and orders; invites client users."
    )
    FINANCE = strawberry.enum_value(
        "finance", description="Credit limits, payment terms, costs and reports."
    )
    SUPPORT = strawberry.enum_value("support", description="Reads clients and orders to help.")
    CLIENT = strawberry.enum_value(
        "client", description="Signs in for one client company and sees only its records."
    )


@strawberry.enum(description="The roles of staff (the people of the business).")
class StaffRole(Enum):
    ADMIN = strawberry.enum_value("admin", description="Everything, including managing users.")
    CATALOG_MANAGER = strawberry.enum_value(
        "catalog_manager", description="Edits the catalog; sees cost prices and margins."
    )
    SALES = strawberry.enum_value(
        "sales", description="Handles clients, inquiries and orders; invites client users."
    )
    FINANCE = strawberry.enum_value(
        "finance", description="Credit limits, payment terms, costs and reports."
    )
    SUPPORT = strawberry.enum_value("support", description="Reads clients and orders to help.")


def _company_id(user: User) -> strawberry.ID | None:
    if user.client_company_id is None:
        return None
    return strawberry.ID(encode_global_id("ClientCompany", user.client_company_id))


def user_global_id(user: User) -> strawberry.ID:
    assert user.id is not None
    return strawberry.ID(encode_global_id("User", user.id))


@strawberry.type(description="The signed-in user, as `me` shows them.")
class CurrentUser:
    id: strawberry.ID = strawberry.field(description="Global id of the user.")
    email: str = strawberry.field(description="The address the user signs in with.")
    full_name: str = strawberry.field(description="Full name; may be empty.")
    role: UserRole = strawberry.field(description="What the user may do, by role.")
    mfa_enabled: bool = strawberry.field(
        description="True once the user has confirmed an authenticator app (TOTP)."
    )
    mfa_setup_required: bool = strawberry.field(
        description=(
            "True when this session may do nothing but set MFA up (`enrollTotp`, then "
            "`confirmTotp`): staff must use MFA before anything else."
        )
    )
    client_company_id: strawberry.ID | None = strawberry.field(
        description="Global id of the user's client company; null for staff."
    )

    @classmethod
    def from_row(cls, user: User, *, mfa_setup_required: bool) -> Self:
        return cls(
            id=user_global_id(user),
            email=user.email,
            full_name=user.full_name,
            role=UserRole(user.role),
            mfa_enabled=user.has_mfa,
            mfa_setup_required=mfa_setup_required,
            client_company_id=_company_id(user),
        )


@strawberry.type(description="A user account as administrators see it.")
class UserAccount:
    row: strawberry.Private[User]
    id: strawberry.ID = strawberry.field(description="Global id of the user.")
    email: str = strawberry.field(description="The address the user signs in with.")
    full_name: str = strawberry.field(description="Full name; may be empty.")
    role: UserRole = strawberry.field(description="What the user may do, by role.")
    client_company_id: strawberry.ID | None = strawberry.field(
        description="Global id of the user's client company; null for staff."
    )
    mfa_enabled: bool = strawberry.field(description="True when the user has confirmed TOTP.")
    disabled: bool = strawberry.field(description="True when the user can no longer sign in.")
    invitation_pending: bool = strawberry.field(
        description="True until the user accepts their invitation and chooses a password."
    )
    last_signed_in_at: datetime | None = strawberry.field(
        description=(
            "When the user last signed in (a password, and the second factor when they use "
            "MFA); refreshing a session is not signing in. Null if they never have."
        )
    )

    @strawberry.field(
        description=(
            "The user's client company; null for staff, and for a company the caller may not "
            "see (`clients:read`)."
        )
    )
    async def client_company(self, info: Info) -> ClientCompany | None:
        found = await people.user_company(info.context, self.row)
        return None if found is None else ClientCompany.from_row(found)

    @classmethod
    def from_row(cls, user: User) -> Self:
        return cls(
            row=user,
            id=user_global_id(user),
            email=user.email,
            full_name=user.full_name,
            role=UserRole(user.role),
            client_company_id=_company_id(user),
            mfa_enabled=user.has_mfa,
            disabled=user.disabled_at is not None,
            invitation_pending=user.password_hash is None,
            last_signed_in_at=user.last_signed_in_at,
        )


@strawberry.type(
    description=(
        "A signed-in session. Send `accessToken` as `Authorization: Bearer ...`; before it "
        "expires, trade `refreshToken` for a new pair with `refreshSession` (each refresh "
        "token works once). Keep both secret; the server keeps only their hashes."
    )
)
class SessionTokens:
    access_token: str = strawberry.field(description="Bearer token for requests.")
    access_token_expires_at: datetime = strawberry.field(
        description="When the access token stops working (minutes away)."
    )
    refresh_token: str = strawberry.field(
        description="Single-use token for `refreshSession`; never send it as a bearer token."
    )
    refresh_token_expires_at: datetime = strawberry.field(
        description="When the session ends unless refreshed before (idle timeout)."
    )
    mfa_setup_required: bool = strawberry.field(
        description=(
            "True for staff without MFA: this session may only call `me`, `enrollTotp`, "
            "`confirmTotp`, `refreshSession` and `logout` until TOTP is confirmed."
        )
    )

    @classmethod
    def from_issued(cls, issued: IssuedSession, *, mfa_setup_required: bool = False) -> Self:
        return cls(
            access_token=issued.access_token,
            access_token_expires_at=issued.access_expires_at,
            refresh_token=issued.refresh_token,
            refresh_token_expires_at=issued.refresh_expires_at,
            mfa_setup_required=mfa_setup_required,
        )


@strawberry.type(
    description=(
        "The password was right and the account uses MFA: finish with `verifyMfa(challenge:, "
        "code:)`. The challenge opens nothing else and expires in a few minutes."
    )
)
class MfaRequired:
    challenge: str = strawberry.field(description="Opaque token to pass to `verifyMfa`.")
    expires_at: datetime = strawberry.field(description="When the challenge stops working.")

    @classmethod
    def from_issued(cls, issued: IssuedChallenge) -> Self:
        return cls(challenge=issued.token, expires_at=issued.expires_at)


LoginResult = Annotated[
    SessionTokens | MfaRequired,
    strawberry.union(
        "LoginResult",
        description="A session, or the MFA step that stands before it.",
    ),
]


@strawberry.type(
    description=(
        "A live session of a user (never its tokens): one of the signed-in user's own "
        "(`sessions`), or any user's for administrators (`userSessions`)."
    )
)
class Session:
    id: strawberry.ID = strawberry.field(description="Global id of the session.")
    created_at: datetime = strawberry.field(
        description="When this session's current tokens were issued (sign-in or last refresh)."
    )
    last_used_at: datetime = strawberry.field(description="When it was last used, to the minute.")
    client_ip: str = strawberry.field(description="Address it was signed in or refreshed from.")
    user_agent: str = strawberry.field(description="The browser or app that signed in.")
    current: bool = strawberry.field(
        description="True for the session making this request (false for anyone else's)."
    )

    @classmethod
    def from_listing(cls, listing: SessionListing) -> Self:
        row = listing.row
        assert row.id is not None
        assert row.created_at is not None
        return cls(
            id=strawberry.ID(encode_global_id("Session", row.id)),
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            client_ip=row.client_ip,
            user_agent=row.user_agent,
            current=listing.current,
        )


@strawberry.type(
    description=(
        "A new, not yet active TOTP secret. Show the QR code (or the secret, for typing) once, "
        "then call `confirmTotp` with a code from the app to turn MFA on."
    )
)
class TotpEnrollment:
    secret: str = strawberry.field(
        description="The base32 secret (160 bits), for apps that cannot scan the QR code."
    )
    uri: str = strawberry.field(
        description="The otpauth:// URI (issuer TradeQL, account the email) in the QR code."
    )
    qr_code_svg: str = strawberry.field(description="The URI as a QR code, an SVG document.")
