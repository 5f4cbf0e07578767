"""Changing client companies: create, edit details, and finance's credit limit and terms.

Each change runs in one transaction with exactly one audit row; a refused change (any
`Issue`) writes nothing. A create with an idempotency key answers a retry with the company
the first call made (`resolvers.idempotency`). Edits are optimistic: they name the version
they were based on, and the write is one conditional `UPDATE ... WHERE id = :id AND version =
:expected` that also bumps the version, so of two edits based on the same version exactly one
wins and the other gets CONFLICT, without a lock held between reading and writing.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.audit import changed_fields
from core.outcomes import Refused, UserErrorCode, WriteResult, refused
from loaders.clients import CLIENT_COMPANY_BY_ID
from models.clients import ClientCompany
from resolvers.clients.rules import CompanyDetails, check_company_details, check_credit_terms
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.orders.standing import refresh_standing
from resolvers.outcomes import audit, pk_of, refusable
from resolvers.versions import save_versioned, stale

T = TypeVar("T")
COMPANY = "ClientCompany"


def not_found(path: tuple[str, ...], what: str) -> WriteResult[Any]:
    return refused(path, UserErrorCode.NOT_FOUND, f"no {what} has this id")


async def visible_company(ctx: Context, db: AsyncSession, pk: int) -> ClientCompany | None:
    """The company, read in the write transaction, if the caller may see it."""
    statement = select(ClientCompany).where(
        col(ClientCompany.id) == pk, ctx.loaders.visible(CLIENT_COMPANY_BY_ID)
    )
    company: ClientCompany | None = (await db.scalars(statement)).first()
    return company


async def create_client_company(
    ctx: Context, details: CompanyDetails, idempotency_key: str | None = None
) -> WriteResult[ClientCompany]:
    """A new company; with a key, a retry answers the company the first call created."""
    values, issues = check_company_details(asdict(details), required=("name", "country"))
    issues = issues + key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)

    return await refusable(
        ctx,
        lambda db: created_once(
            ctx,
            db,
            operation="createClientCompany",
            key=idempotency_key,
            normalised_input=values,
            model=ClientCompany,
            create=lambda: insert_company(ctx, db, values),
        ),
    )


async def insert_company(ctx: Context, db: AsyncSession, values: dict[str, Any]) -> ClientCompany:
    """A new company from checked details (`check_company_details`) with its audit row, in
    the caller's transaction: the one way a company is made (converting a lead too)."""
    company = ClientCompany(**values)
    db.add(company)
    await db.flush()
    await db.refresh(company)
    await audit(
        ctx,
        db,
        action="client_company.create",
        target_type=COMPANY,
        target_id=company.id,
        changes=changed_fields({}, values),
    )
    return company


async def update_client_company(
    ctx: Context, *, company_id: str, expected_version: int, details: CompanyDetails
) -> WriteResult[ClientCompany]:
    """Name, country, tax id and preferences; absent (None) fields stay as they are."""
    values, issues = check_company_details(asdict(details))
    if issues:
        return WriteResult(issues=issues)
    return await _versioned_update(
        ctx, company_id, expected_version, values, action="client_company.update"
    )


async def update_client_credit(
    ctx: Context,
    *,
    company_id: str,
    expected_version: int,
    credit_limit: Decimal,
    credit_currency: str,
    advance_percent: int,
    balance_due_on: str,
    net_days: int,
) -> WriteResult[ClientCompany]:
    """The credit limit and payment terms, set together; the fields only finance may edit."""
    values, issues = check_credit_terms(
        credit_limit=credit_limit,
        credit_currency=credit_currency,
        advance_percent=advance_percent,
        balance_due_on=balance_due_on,
        net_days=net_days,
    )
    if issues:
        return WriteResult(issues=issues)
    return await _versioned_update(
        ctx, company_id, expected_version, values, action="client_company.update_credit"
    )


async def _versioned_update(
    ctx: Context, company_id: str, expected_version: int, values: dict[str, Any], *, action: str
) -> WriteResult[ClientCompany]:
    pk = pk_of(company_id, COMPANY)
    if pk is None:
        return not_found(("id",), "client company")
    async with ctx.database.transaction() as db:
        before = await visible_company(ctx, db, pk)
        if before is None:
            return not_found(("id",), "client company")
        if before.version != expected_version:
            return WriteResult(issues=stale("company", before.version).issues)
        changes = changed_fields({name: getattr(before, name) for name in values}, values)
        if not changes:
            return WriteResult(row=before)
        try:
            after = await save_versioned(
                db, ClientCompany, pk, expected_version, values, what="company"
            )
        except Refused as conflict:  # another edit based on the same version committed first
            return WriteResult(issues=conflict.issues)
        if "credit_currency" in changes:  # the figures are kept in the credit currency
            await refresh_standing(db, pk)
            await db.refresh(after)
        changes = {**changes, "version": [expected_version, after.version]}
        await audit(ctx, db, action=action, target_type=COMPANY, target_id=pk, changes=changes)
    return WriteResult(row=after)
