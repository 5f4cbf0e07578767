"""Administrators' changes to accounts: who may, what ends, exactly one audit row each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, func, select

from auth.origin import Origin
from auth.principal import Principal, PrincipalKind
from auth.user_admin import disable_user
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role, User
from models.audit import AuditEntry
from models.outbox import OutboxEvent
from tests.accounts.builders import error_codes, give_totp
from tests.graphql_client import GraphQLClient
from tests.user_builders import make_company, make_user, session_for

INVITE_STAFF = """
mutation($email: String!, $role: StaffRole!) {
  inviteStaff(email: $email, fullName: "  Mei   Chen ", role: $role) {
    user { id email fullName role invitationPending mfaEnabled disabled }
    userErrors { field code }
  }
}
"""
INVITE_CLIENT = """
mutation($company: ID!, $email: String!) {
  inviteClientUser(clientCompanyId: $company, email: $email, fullName: "Hans Weber") {
    user { email role clientCompanyId } userErrors { field code }
  }
}
"""
CHANGE_ROLE = """
mutation($id: ID!, $role: StaffRole!) {
  changeUserRole(userId: $id, role: $role) { user { role } userErrors { field code } }
}
"""
DISABLE = (
    "mutation($id: ID!) { disableUser(userId: $id) { user { disabled } userErrors { code } } }"
)
RESET_MFA = """
mutation($id: ID!) { resetUserMfa(userId: $id) { user { mfaEnabled } userErrors { code } } }
"""


async def _audit_rows(db: Database, action: str) -> list[AuditEntry]:
    async with db.session() as session:
        return list(
            await session.scalars(
                select(AuditEntry).where(col(AuditEntry.action) == action).order_by("id")
            )
        )


async def _admin(db: Database, settings: Settings) -> tuple[User, str]:
    async with db.transaction() as session:
        admin = await make_user(session, Role.ADMIN)
        token = (await session_for(session, admin, settings)).access_token
    return admin, token


def _gid(user: User) -> str:
    assert user.id is not None
    return encode_global_id("User", user.id)


async def test_an_admin_invites_staff_and_a_link_is_queued_by_user_not_by_token(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    admin, token = await _admin(db, settings)
    body = await api.as_(token).data(
        INVITE_STAFF, {"email": "Mei@Anatolia.example", "role": "SALES"}
    )
    user = body["inviteStaff"]["user"]
    assert body["inviteStaff"]["userErrors"] == []
    assert user["email"] == "mei@anatolia.example"
    assert user["fullName"] == "Mei Chen"
    assert (user["role"], user["invitationPending"], user["mfaEnabled"]) == ("SALES", True, False)
    async with db.session() as session:
        [event] = list(
            await session.scalars(
                select(OutboxEvent).where(col(OutboxEvent.event_type) == "account.link_requested")
            )
        )
    assert set(event.payload) == {"user_id", "purpose", "invited_by_user_id"}
    assert event.payload["purpose"] == "invitation"
    assert event.payload["invited_by_user_id"] == admin.id
    [row] = await _audit_rows(db, "user.invited")
    assert row.actor_user_id == admin.id
    assert row.changes["email"] == [None, "mei@anatolia.example"]


async def test_refused_invitations_change_nothing_and_write_no_audit_row(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    _admin_user, token = await _admin(db, settings)
    async with db.transaction() as session:
        taken = await make_user(session, Role.FINANCE)
    for email, code in ((taken.email, "EMAIL_TAKEN"), ("not-an-address", "INVALID_EMAIL")):
        body = await api.as_(token).data(INVITE_STAFF, {"email": email, "role": "SALES"})
        assert body["inviteStaff"] == {
            "user": None,
            "userErrors": [{"field": ["email"], "code": code}],
        }
    assert await _audit_rows(db, "user.invited") == []
    async with db.session() as session:
        events = await session.scalar(select(func.count()).select_from(OutboxEvent))
    assert events == 0


async def test_sales_invite_client_users_but_not_staff(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        sales = await make_user(session, Role.SALES)
        token = (await session_for(session, sales, settings)).access_token
        company = await make_company(session)
    assert company.id is not None
    company_id = encode_global_id("ClientCompany", company.id)
    invited = await api.as_(token).data(
        INVITE_CLIENT, {"company": company_id, "email": "hans@weber.example"}
    )
    assert invited["inviteClientUser"]["user"] == {
        "email": "hans@weber.example",
        "role": "CLIENT",
        "clientCompanyId": company_id,
    }
    missing = await api.as_(token).data(
        INVITE_CLIENT,
        {"company": encode_global_id("ClientCompany", 10**9), "email": "x@weber.example"},
    )
    assert missing["inviteClientUser"]["userErrors"] == [
        {"field": ["clientCompanyId"], "code": "NOT_FOUND"}
    ]
    staff = await api.as_(token).post(INVITE_STAFF, {"email": "x@example.com", "role": "ADMIN"})
    assert staff["data"]["inviteStaff"] is None
    assert error_codes(staff) == ["FORBIDDEN"]


async def test_a_demoted_user_loses_access_on_the_very_next_request(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given a finance user reading a permission-gated field, and an admin
    _admin_user, admin_token = await _admin(db, settings)
    async with db.transaction() as session:
        finance = await make_user(session, Role.FINANCE)
        finance_token = (await session_for(session, finance, settings)).access_token
    invite = (
        'mutation { inviteStaff(email: "z@example.com", fullName: "Z", role: SUPPORT)'
        " { user { id } } }"
    )
    before = await api.as_(finance_token).post(invite)
    assert error_codes(before) == ["FORBIDDEN"]

    # when the admin makes them support staff
    changed = await api.as_(admin_token).data(CHANGE_ROLE, {"id": _gid(finance), "role": "SUPPORT"})

    # then the change is made once, in the audit log, and their sessions have ended
    assert changed["changeUserRole"] == {"user": {"role": "SUPPORT"}, "userErrors": []}
    [row] = await _audit_rows(db, "user.role_changed")
    assert row.changes == {"role": ["finance", "support"]}
    assert (await api.as_(finance_token).response("{ me { role } }")).status_code == 401


async def test_nobody_changes_disables_or_resets_their_own_account(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    admin, token = await _admin(db, settings)
    for document, variables in (
        (CHANGE_ROLE, {"id": _gid(admin), "role": "SALES"}),
        (DISABLE, {"id": _gid(admin)}),
        (RESET_MFA, {"id": _gid(admin)}),
    ):
        body = await api.as_(token).data(document, variables)
        [payload] = body.values()
        assert payload["userErrors"][0]["code"] == "OWN_ACCOUNT"
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(AuditEntry))
    assert count == 0


async def test_disabling_and_resetting_mfa_end_the_users_sessions(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    _admin_user, token = await _admin(db, settings)
    async with db.transaction() as session:
        lost_phone = await make_user(session, Role.SALES)
        await give_totp(session, lost_phone, settings)
        leaving = await make_user(session, Role.SUPPORT)
        sessions: dict[str, Any] = {
            "lost_phone": (await session_for(session, lost_phone, settings)).access_token,
            "leaving": (await session_for(session, leaving, settings)).access_token,
        }
    reset = await api.as_(token).data(RESET_MFA, {"id": _gid(lost_phone)})
    disabled = await api.as_(token).data(DISABLE, {"id": _gid(leaving)})
    again = await api.as_(token).data(DISABLE, {"id": _gid(leaving)})

    assert reset["resetUserMfa"] == {"user": {"mfaEnabled": False}, "userErrors": []}
    assert disabled["disableUser"] == {"user": {"disabled": True}, "userErrors": []}
    assert again["disableUser"] == {"user": {"disabled": True}, "userErrors": []}
    for access_token in sessions.values():
        assert (await api.as_(access_token).response("{ me { email } }")).status_code == 401
    assert len(await _audit_rows(db, "user.mfa_reset")) == 1
    assert len(await _audit_rows(db, "user.disabled")) == 1
    no_mfa = await api.as_(token).data(RESET_MFA, {"id": _gid(lost_phone)})
    assert no_mfa["resetUserMfa"]["userErrors"] == [{"code": "MFA_NOT_ENABLED"}]


async def test_an_audited_change_that_rolls_back_leaves_no_audit_row(
    db: Database, settings: Settings
) -> None:

    async with db.transaction() as session:
        admin = await make_user(session, Role.ADMIN)
        target = await make_user(session, Role.SALES)
    actor = Principal(kind=PrincipalKind.USER, role=Role.ADMIN, user_id=admin.id)

    class Interrupted(Exception):
        pass

    try:
        async with db.transaction() as session:
            assert target.id is not None
            await disable_user(session, user_id=target.id, actor=actor, origin=Origin())
            raise Interrupted
    except Interrupted:
        pass
    assert await _audit_rows(db, "user.disabled") == []
    async with db.session() as session:
        fresh = await session.get(User, target.id)
    assert fresh is not None
    assert fresh.disabled_at is None


async def test_a_role_is_read_from_the_users_row_on_every_request(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given a sales user whose session stays alive
    async with db.transaction() as session:
        sales = await make_user(session, Role.SALES)
        token = (await session_for(session, sales, settings)).access_token
        company = await make_company(session)
    assert company.id is not None
    variables = {"company": encode_global_id("ClientCompany", company.id), "email": "bad"}
    allowed = await api.as_(token).post(INVITE_CLIENT, variables)
    assert allowed["data"]["inviteClientUser"]["userErrors"][0]["code"] == "INVALID_EMAIL"

    # when their role changes in the database, without ending the session
    async with db.transaction() as session:
        await session.execute(
            update(User).where(col(User.id) == sales.id).values(role=Role.SUPPORT.value)
        )

    # then the very next request no longer holds the permission
    refused = await api.as_(token).post(INVITE_CLIENT, variables)
    assert refused["data"]["inviteClientUser"] is None
    assert error_codes(refused) == ["FORBIDDEN"]
