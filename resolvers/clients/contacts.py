"""Changing a client company's contact people: add, edit, remove, each with one audit row.

Contacts are personal data: a contact is found for editing or removal only if the caller may
see it (`loaders.clients.contact_is_visible`), on a company the caller may see.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.audit import changed_fields
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult
from loaders.clients import CONTACTS_BY_COMPANY
from models.clients import MAIL_TOPIC_COLUMNS, ClientContact
from resolvers.clients.rules import ContactDetails, check_contact_details
from resolvers.clients.writes import COMPANY, not_found, visible_company
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.outcomes import audit, pk_of, refusable

CONTACT = "ClientContact"
CONTACT_COLUMNS = ("company_id", "name", "email", "phone", "position", *MAIL_TOPIC_COLUMNS.values())
NO_COMPANY = "no client company has this id"


def _snapshot(contact: ClientContact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in CONTACT_COLUMNS}


async def _visible_contact(ctx: Context, db: AsyncSession, pk: int) -> ClientContact | None:
    statement = select(ClientContact).where(
        col(ClientContact.id) == pk, ctx.loaders.visible(CONTACTS_BY_COMPANY)
    )
    contact: ClientContact | None = (await db.scalars(statement)).first()
    return contact


async def add_client_contact(
    ctx: Context, *, company_id: str, details: ContactDetails, idempotency_key: str | None = None
) -> WriteResult[ClientContact]:
    """A new contact of a visible company; with a key, a retry answers the contact the first
    call added."""
    values, issues = check_contact_details(asdict(details), required=("name",))
    issues = issues + key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)
    pk = pk_of(company_id, COMPANY)
    if pk is None:
        return not_found(("companyId",), "client company")

    async def work(db: AsyncSession) -> ClientContact:
        # Checked before the key: a replay answers only a contact of a company still visible.
        if await visible_company(ctx, db, pk) is None:
            raise Refused(Issue(("companyId",), UserErrorCode.NOT_FOUND, NO_COMPANY))
        return await created_once(
            ctx,
            db,
            operation="addClientContact",
            key=idempotency_key,
            normalised_input={"company_id": pk, **values},
            model=ClientContact,
            create=lambda: insert_contact(ctx, db, pk, values),
        )

    return await refusable(ctx, work)


async def insert_contact(
    ctx: Context, db: AsyncSession, company_id: int, values: dict[str, Any]
) -> ClientContact:
    """A new contact from checked details (`check_contact_details`) with its audit row, in
    the caller's transaction: the one way a contact is added (converting a lead too)."""
    contact = ClientContact(company_id=company_id, **values)
    db.add(contact)
    await db.flush()
    await audit(
        ctx,
        db,
        action="client_contact.add",
        target_type=CONTACT,
        target_id=contact.id,
        changes=changed_fields({}, _snapshot(contact)),
    )
    return contact


async def update_client_contact(
    ctx: Context, *, contact_id: str, details: ContactDetails
) -> WriteResult[ClientContact]:
    """Absent (None) fields stay as they are."""
    values, issues = check_contact_details(asdict(details))
    if issues:
        return WriteResult(issues=issues)
    pk = pk_of(contact_id, CONTACT)
    if pk is None:
        return not_found(("id",), "contact")
    async with ctx.database.transaction() as db:
        contact = await _visible_contact(ctx, db, pk)
        if contact is None:
            return not_found(("id",), "contact")
        changes = changed_fields(_snapshot(contact), values)
        if changes:
            for name, value in values.items():
                setattr(contact, name, value)
            await db.flush()
            await audit(
                ctx,
                db,
                action="client_contact.update",
                target_type=CONTACT,
                target_id=pk,
                changes=changes,
            )
    return WriteResult(row=contact)


async def remove_client_contact(ctx: Context, *, contact_id: str) -> WriteResult[ClientContact]:
    """The contact as it was before removal."""
    pk = pk_of(contact_id, CONTACT)
    if pk is None:
        return not_found(("id",), "contact")
    async with ctx.database.transaction() as db:
        contact = await _visible_contact(ctx, db, pk)
        if contact is None:
            return not_found(("id",), "contact")
        await db.delete(contact)
        await db.flush()
        removed = {name: [value, None] for name, value in _snapshot(contact).items()}
        await audit(
            ctx,
            db,
            action="client_contact.remove",
            target_type=CONTACT,
            target_id=pk,
            changes=removed,
        )
    return WriteResult(row=contact)
