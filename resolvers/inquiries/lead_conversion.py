"""Turning a guest's lead into a client: a company, its contact, an invitation, its inquiries.

A guest who asked for a quote is a lead, not a client, so its quote cannot become an order
(LEAD_NOT_A_CLIENT). Sales converts the lead from one of its inquiries, in one transaction:

- the client company, named and placed as the lead said (the input may correct that), and
  a contact with the lead's name and email, through the same paths as creating them one by
  one (`insert_company`, `insert_contact`: defaults and audit rows alike);
- an invitation of a client user for the lead's email, through the one invitation path
  (`auth.user_admin.invite_user`: a mailed single-use link via `account.link_requested`);
- every inquiry of the lead moves to the company (its quotes follow their inquiry), so a
  quote sent to the guest converts to an order as it is, and the guest, once signed in,
  reads it at the link the quote mail gave;
- the lead remembers the company, so a later guest inquiry from the same address converts
  into that company (no second company, contact or invitation);
- an audit row of the conversion and a `lead.converted` event for partners.

The lead row is locked first, so of two conversions racing for one lead the second waits,
then sees the inquiry moved (INQUIRY_NOT_FROM_GUEST) or the company to move into. With an
idempotency key a retry answers the first call's company and changes nothing again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth import user_admin
from core.event_types import LEAD_CONVERTED
from core.global_id import encode_global_id
from core.outbox import emit
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult
from core.row_locks import lock_for_no_key_update
from models.accounts import Role, User
from models.clients import ClientCompany, ClientContact
from models.inquiries import Inquiry, Lead
from resolvers.accounts.support import origin_of
from resolvers.clients.contacts import insert_contact
from resolvers.clients.rules import CompanyDetails, check_company_details
from resolvers.clients.writes import insert_company
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.inquiries.workflow import visible_inquiry
from resolvers.outcomes import audit, pk_of, refusable

INQUIRY_ID = ("inquiryId",)
NO_INQUIRY = "no inquiry has this id"


@dataclass(frozen=True)
class LeadConversion:
    """The company the lead became, and the inquiry converted from, as they are now."""

    company: ClientCompany
    inquiry: Inquiry


def _refused(code: UserErrorCode, message: str, path: tuple[str, ...] = INQUIRY_ID) -> Refused:
    return Refused(Issue(path, code, message))


async def convert_lead_to_client(
    ctx: Context,
    *,
    inquiry_id: str,
    details: CompanyDetails,
    idempotency_key: str | None = None,
) -> WriteResult[LeadConversion]:
    """Convert the lead behind a guest's inquiry; `details` correct the lead's company name
    and country, or set the company's tax id and preferences."""
    overrides, issues = check_company_details(asdict(details))
    issues = issues + key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)
    pk = pk_of(inquiry_id, "Inquiry")
    if pk is None:
        return WriteResult(issues=[Issue(INQUIRY_ID, UserErrorCode.NOT_FOUND, NO_INQUIRY)])

    async def work(db: AsyncSession) -> LeadConversion:
        inquiry = await visible_inquiry(ctx, db, pk)
        if inquiry is None:
            raise _refused(UserErrorCode.NOT_FOUND, NO_INQUIRY)
        company = await created_once(
            ctx,
            db,
            operation="convertLeadToClient",
            key=idempotency_key,
            normalised_input={"inquiry_id": pk, **overrides},
            model=ClientCompany,
            create=lambda: _convert(ctx, db, pk, overrides),
        )
        await db.refresh(inquiry)
        return LeadConversion(company=company, inquiry=inquiry)

    return await refusable(ctx, work)


async def _convert(
    ctx: Context, db: AsyncSession, inquiry_pk: int, overrides: dict[str, Any]
) -> ClientCompany:
    lead = await _locked_lead_of(db, inquiry_pk)
    if lead.converted_company_id is None:
        company = await _new_company(ctx, db, lead, overrides)
    else:
        if overrides:
            raise _refused(
                UserErrorCode.INVALID,
                "the lead became a client before: its inquiries move into that company as it "
                "is; leave input out and edit the company with updateClientCompany",
                ("input",),
            )
        company = await _company(db, lead.converted_company_id)
    invited = await _invite_once(ctx, db, lead, company)
    contact_added = await _add_contact_once(ctx, db, lead, company)
    moved = await _move_inquiries(db, lead, company)
    before = lead.converted_company_id
    assert company.id is not None
    assert lead.id is not None
    lead.converted_company_id = company.id
    lead.converted_at = lead.converted_at or datetime.now(UTC)
    await db.flush()
    await audit(
        ctx,
        db,
        action="lead.convert",
        target_type="Lead",
        target_id=lead.id,
        changes={
            "converted_company_id": [before, company.id],
            "inquiry_ids": [moved, []],
            "contact_added": [False, contact_added],
            "user_invited": [False, invited],
        },
    )
    await emit(
        db,
        LEAD_CONVERTED,
        {
            "client_company_id": encode_global_id("ClientCompany", company.id),
            "company_created": before is None,
            "inquiry_ids": [encode_global_id("Inquiry", pk) for pk in moved],
            "country": company.country,
        },
    )
    return company


async def _locked_lead_of(db: AsyncSession, inquiry_pk: int) -> Lead:
    """The inquiry's lead, locked; refused if the inquiry is (by now) a client's."""
    inquiry = await db.scalar(
        select(Inquiry)
        .where(col(Inquiry.id) == inquiry_pk)
        .execution_options(populate_existing=True)
    )
    lead_id = None if inquiry is None else inquiry.lead_id
    if lead_id is not None:
        statement = lock_for_no_key_update(select(Lead).where(col(Lead.id) == lead_id))
        lead: Lead = (await db.scalars(statement.execution_options(populate_existing=True))).one()
        # Read again under the lock: a conversion that held it first has moved the inquiry.
        lead_id_now = await db.scalar(
            select(col(Inquiry.lead_id)).where(col(Inquiry.id) == inquiry_pk)
        )
        if lead_id_now is not None:
            return lead
    raise _refused(
        UserErrorCode.INQUIRY_NOT_FROM_GUEST,
        "this inquiry belongs to a client company already: there is no lead to convert",
    )


async def _new_company(
    ctx: Context, db: AsyncSession, lead: Lead, overrides: dict[str, Any]
) -> ClientCompany:
    """The company as the guest gave it (already checked at submission), corrected."""
    values = {"name": lead.company_name, "country": lead.country, **overrides}
    return await insert_company(ctx, db, values)


async def _company(db: AsyncSession, pk: int) -> ClientCompany:
    company: ClientCompany = (
        await db.scalars(select(ClientCompany).where(col(ClientCompany.id) == pk))
    ).one()
    return company


async def _invite_once(ctx: Context, db: AsyncSession, lead: Lead, company: ClientCompany) -> bool:
    """Invite the lead's email as a user of the company, unless it is one already (invited
    or active); refused when the address belongs to anyone else."""
    user = await db.scalar(select(User).where(col(User.email) == lead.email))
    if user is not None:
        if user.role == Role.CLIENT and user.client_company_id == company.id:
            return False
        raise _refused(
            UserErrorCode.EMAIL_TAKEN,
            "the guest's email already belongs to another account (staff, or a user of "
            "another client company); invite them differently",
        )
    try:
        await user_admin.invite_user(
            db,
            email=lead.email,
            full_name=lead.contact_name or lead.company_name,
            role=Role.CLIENT,
            client_company_id=company.id,
            actor=ctx.principal,
            origin=origin_of(ctx),
        )
    except Refused as refusal:  # the address was taken meanwhile
        raise Refused(
            *(Issue(INQUIRY_ID, issue.code, issue.message) for issue in refusal.issues)
        ) from None
    return True


async def _add_contact_once(
    ctx: Context, db: AsyncSession, lead: Lead, company: ClientCompany
) -> bool:
    """The lead as a contact of the company, unless a contact has its email already."""
    known = await db.scalar(
        select(col(ClientContact.id)).where(
            col(ClientContact.company_id) == company.id,
            func.lower(col(ClientContact.email)) == lead.email.lower(),
        )
    )
    if known is not None:
        return False
    assert company.id is not None
    values = {"name": lead.contact_name or lead.company_name, "email": lead.email}
    await insert_contact(ctx, db, company.id, values)
    return True


async def _move_inquiries(db: AsyncSession, lead: Lead, company: ClientCompany) -> list[int]:
    """Every inquiry of the lead becomes the company's (quotes follow their inquiry)."""
    moved = await db.scalars(
        update(Inquiry)
        .where(col(Inquiry.lead_id) == lead.id)
        .values(client_company_id=company.id, lead_id=None, version=col(Inquiry.version) + 1)
        .returning(col(Inquiry.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(pk for pk in moved if pk is not None)
