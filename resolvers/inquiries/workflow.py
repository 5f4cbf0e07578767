"""Sales' work on an inquiry: assigning it, and closing it as won or lost.

Each change is one conditional `UPDATE ... WHERE id = :id AND version = :read AND status IN
(open statuses)` that bumps the version, in one transaction with its audit row: of two
changes based on the same reading exactly one applies and the other gets CONFLICT, and a
closed inquiry stays closed. `expectedVersion`, when given, must match what is stored.
Writers lock the inquiry row before its quotes, so they never wait on each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.audit import changed_fields
from auth.policy import Permission, roles_with
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult, refused
from loaders.inquiries import INQUIRY_BY_ID
from models.accounts import Role, User
from models.inquiries import Inquiry, InquiryStatus, LostReasonCode, Quote, QuoteStatus
from resolvers.context import Context
from resolvers.outcomes import audit, pk_of
from resolvers.versions import save_versioned

INQUIRY = "Inquiry"
OPEN_STATUSES = (InquiryStatus.NEW, InquiryStatus.ASSIGNED, InquiryStatus.QUOTED)
MAX_REASON_LENGTH = 2_000


class CloseOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


def not_found(path: tuple[str, ...], what: str = "inquiry") -> WriteResult[Any]:
    return refused(path, UserErrorCode.NOT_FOUND, f"no {what} has this id")


def conflict(current: int) -> Issue:
    return Issue(
        ("expectedVersion",),
        UserErrorCode.CONFLICT,
        f"the inquiry was changed meanwhile (now at version {current} or later); "
        "reload it and apply your change again",
    )


async def visible_inquiry(ctx: Context, db: AsyncSession, pk: int) -> Inquiry | None:
    """The inquiry, read in the write transaction, if the caller may see it."""
    statement = select(Inquiry).where(col(Inquiry.id) == pk, ctx.loaders.visible(INQUIRY_BY_ID))
    found: Inquiry | None = (await db.scalars(statement)).first()
    return found


def check_open(
    inquiry: Inquiry, expected_version: int | None, *, at: tuple[str, ...] = ("id",)
) -> list[Issue]:
    """An inquiry still open for sales' work, at the version the change was based on."""
    if inquiry.status not in OPEN_STATUSES:
        return [
            Issue(
                at,
                UserErrorCode.INQUIRY_CLOSED,
                f"the inquiry is closed as {InquiryStatus(inquiry.status).value}",
            )
        ]
    if expected_version is not None and expected_version != inquiry.version:
        return [conflict(inquiry.version)]
    return []


async def change_open_inquiry(
    db: AsyncSession, before: Inquiry, values: Mapping[str, Any]
) -> Inquiry | None:
    """Apply `values` if the inquiry is still open and at the version read; else None."""
    assert before.id is not None
    try:
        return await save_versioned(
            db,
            Inquiry,
            before.id,
            before.version,
            values,
            what="inquiry",
            still=[col(Inquiry.status).in_(OPEN_STATUSES)],
        )
    except Refused:  # changed or closed meanwhile: the caller says which
        return None


def snapshot(inquiry: Inquiry, names: list[str]) -> dict[str, Any]:
    """The audited values before a change (the update refreshes the same object)."""
    return {name: getattr(inquiry, name) for name in [*names, "version"]}


def audited(before: Mapping[str, Any], after: Inquiry) -> dict[str, list[Any]]:
    return changed_fields(before, {name: getattr(after, name) for name in before})


def is_assignable(user: User | None) -> bool:
    """An active member of staff who may work inquiries: signed up, not disabled."""
    return (
        user is not None
        and user.disabled_at is None
        and user.password_hash is not None
        and Role(user.role) in roles_with(Permission.INQUIRIES_MANAGE)
    )


async def assign_inquiry(
    ctx: Context, *, inquiry_id: str, user_id: str, expected_version: int | None
) -> WriteResult[Inquiry]:
    """Give the inquiry to a salesperson; a new inquiry becomes ASSIGNED."""
    pk = pk_of(inquiry_id, INQUIRY)
    if pk is None:
        return not_found(("id",))
    assignee_pk = pk_of(user_id, "User")
    async with ctx.database.transaction() as db:
        before = await visible_inquiry(ctx, db, pk)
        if before is None:
            return not_found(("id",))
        issues = check_open(before, expected_version)
        if issues:
            return WriteResult(issues=issues)
        assignee = None if assignee_pk is None else await db.get(User, assignee_pk)
        if not is_assignable(assignee):
            return refused(
                ("userId",),
                UserErrorCode.INVALID_ASSIGNEE,
                "must be an active member of staff who may manage inquiries",
            )
        if before.assigned_to_user_id == assignee_pk:
            return WriteResult(row=before)
        status = InquiryStatus.ASSIGNED if before.status == InquiryStatus.NEW else before.status
        previous = snapshot(before, ["assigned_to_user_id", "status"])
        after = await change_open_inquiry(
            db, before, {"assigned_to_user_id": assignee_pk, "status": status}
        )
        if after is None:
            return WriteResult(issues=[conflict(before.version + 1)])
        await audit(
            ctx,
            db,
            action="inquiry.assign",
            target_type=INQUIRY,
            target_id=pk,
            changes=audited(previous, after),
        )
    return WriteResult(row=after)


async def close_inquiry(
    ctx: Context,
    *,
    inquiry_id: str,
    outcome: CloseOutcome,
    reason: str,
    expected_version: int | None,
    reason_code: LostReasonCode | None = None,
) -> WriteResult[Inquiry]:
    """Close as WON or LOST; LOST withdraws the open quote, so it can no longer be accepted.

    A lost inquiry is filed under a reason code (OTHER unless one is given) beside the text.
    """
    pk = pk_of(inquiry_id, INQUIRY)
    if pk is None:
        return not_found(("id",))
    if outcome is CloseOutcome.WON and reason_code is not None:
        return refused(
            ("reasonCode",), UserErrorCode.NOT_ALLOWED, "only a lost inquiry takes a reason code"
        )
    reason = reason.strip()
    if outcome is CloseOutcome.LOST and not reason:
        return refused(("reason",), UserErrorCode.REQUIRED, "say why the inquiry was lost")
    if len(reason) > MAX_REASON_LENGTH:
        return refused(
            ("reason",),
            UserErrorCode.TOO_LONG,
            f"must be at most {MAX_REASON_LENGTH} characters",
        )
    async with ctx.database.transaction() as db:
        before = await visible_inquiry(ctx, db, pk)
        if before is None:
            return not_found(("id",))
        issues = check_open(before, expected_version)
        if issues:
            return WriteResult(issues=issues)
        previous = snapshot(before, ["status", "lost_reason", "lost_reason_code"])
        values: dict[str, Any] = {"status": InquiryStatus(outcome.value)}
        if outcome is CloseOutcome.LOST:
            values["lost_reason"] = reason
            values["lost_reason_code"] = reason_code or LostReasonCode.OTHER
        after = await change_open_inquiry(db, before, values)
        if after is None:
            return WriteResult(issues=[conflict(before.version + 1)])
        changes: dict[str, Any] = audited(previous, after)
        if outcome is CloseOutcome.LOST:
            withdrawn = await db.scalars(
                update(Quote)
                .where(col(Quote.inquiry_id) == pk, col(Quote.status) == QuoteStatus.OPEN)
                .values(status=QuoteStatus.WITHDRAWN)
                .returning(col(Quote.id))
                .execution_options(synchronize_session=False)
            )
            changes["withdrawn_quote_ids"] = list(withdrawn)
        elif reason:
            changes["reason"] = reason
        await audit(
            ctx, db, action="inquiry.close", target_type=INQUIRY, target_id=pk, changes=changes
        )
    return WriteResult(row=after)
