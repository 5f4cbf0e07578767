"""Staff record an inquiry a buyer made by phone, by mail or at a fair.

For a client company (naming, if they like, the client user who asked, who is then
acknowledged by mail as if they had submitted it) or for a prospect without an account, filed
under a lead by email as a guest's inquiry is. The checks are `submitInquiry`'s; the inquiry's
source is `staff`, and a member of staff who records it is its salesperson from the start
(ASSIGNED); one recorded by an API key (a CRM, say) starts NEW. Recording is audited; no
throttle applies. The `inquiry.created` event and its mails follow as for any inquiry.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.outcomes import Issue, Refused, UserErrorCode, WriteResult
from models.accounts import Role, User
from models.clients import ClientCompany
from models.inquiries import Inquiry, InquirySource, inquiry_reference
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.inquiries.rules import CheckedSubmission, InquirySubmission, check_submission
from resolvers.inquiries.submission import check_catalog, lead_for, write_inquiry
from resolvers.inquiries.workflow import is_assignable
from resolvers.outcomes import audit, pk_of

_NO_COMPANY = Issue(
    ("input", "clientCompanyId"), UserErrorCode.NOT_FOUND, "no client company has this id"
)
_NO_CONTACT = Issue(
    ("input", "contactUserId"),
    UserErrorCode.NOT_FOUND,
    "no active user of this client company has this id",
)


def _for_whom(
    submission: InquirySubmission, client_company_id: str | None, contact_user_id: str | None
) -> list[Issue]:
    """Exactly one of a client company and a guest's details; a contact only with a company."""
    if client_company_id is None and submission.guest is None:
        message = "name the client company, or give the prospect's details in `guest`"
        return [Issue(("input", "clientCompanyId"), UserErrorCode.REQUIRED, message)]
    if client_company_id is not None and submission.guest is not None:
        message = "an inquiry for a client company takes no guest details"
        return [Issue(("input", "guest"), UserErrorCode.GUEST_DETAILS_NOT_ALLOWED, message)]
    if contact_user_id is not None and client_company_id is None:
        message = "a contact is one of the client company's users: name the company too"
        return [Issue(("input", "contactUserId"), UserErrorCode.INVALID, message)]
    return []


async def record_inquiry(
    ctx: Context,
    submission: InquirySubmission,
    *,
    client_company_id: str | None,
    contact_user_id: str | None,
    idempotency_key: str | None = None,
) -> WriteResult[Inquiry]:
    """The inquiry recorded; with a key, a retry answers the inquiry the first call made."""
    issues = _for_whom(submission, client_company_id, contact_user_id)
    if issues:
        return WriteResult(issues=issues)
    checked, issues = check_submission(
        submission, today=datetime.now(UTC).date(), guest_required=submission.guest is not None
    )
    issues = issues + key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)
    company_pk = None if client_company_id is None else pk_of(client_company_id, "ClientCompany")
    if client_company_id is not None and company_pk is None:
        return WriteResult(issues=[_NO_COMPANY])
    contact_pk = None if contact_user_id is None else pk_of(contact_user_id, "User")
    if contact_user_id is not None and contact_pk is None:
        return WriteResult(issues=[_NO_CONTACT])

    async def create(db: AsyncSession) -> Inquiry:
        await _check_client(db, company_pk, contact_pk)
        problems = await check_catalog(db, checked)
        if problems:
            raise Refused(*problems)
        return await _write(ctx, db, checked, company_pk, contact_pk)

    try:
        async with ctx.database.transaction() as db:
            inquiry = await created_once(
                ctx,
                db,
                operation="recordInquiry",
                key=idempotency_key,
                normalised_input={
                    **asdict(checked),
                    "client_company_id": company_pk,
                    "contact_user_id": contact_pk,
                },
                model=Inquiry,
                create=lambda: create(db),
            )
    except Refused as refusal:
        return WriteResult(issues=refusal.issues)
    return WriteResult(row=inquiry)


async def _check_client(db: AsyncSession, company_pk: int | None, contact_pk: int | None) -> None:
    if company_pk is not None and await db.get(ClientCompany, company_pk) is None:
        raise Refused(_NO_COMPANY)
    if contact_pk is None:
        return
    contact = await db.get(User, contact_pk)
    if (
        contact is None
        or Role(contact.role) is not Role.CLIENT
        or contact.client_company_id != company_pk
        or contact.disabled_at is not None
    ):
        raise Refused(_NO_CONTACT)


async def _write(
    ctx: Context,
    db: AsyncSession,
    checked: CheckedSubmission,
    company_pk: int | None,
    contact_pk: int | None,
) -> Inquiry:
    lead = None if checked.guest is None else await lead_for(db, checked.guest)
    recorder = None if ctx.principal.user_id is None else await db.get(User, ctx.principal.user_id)
    salesperson = recorder.id if recorder is not None and is_assignable(recorder) else None
    inquiry = await write_inquiry(
        db,
        checked,
        client_company_id=company_pk,
        lead_id=None if lead is None else lead.id,
        user_id=contact_pk,
        source=InquirySource.STAFF,
        assigned_to_user_id=salesperson,
    )
    await audit(
        ctx,
        db,
        action="inquiry.record",
        target_type="Inquiry",
        target_id=inquiry.id,
        changes={
            "reference": [None, inquiry_reference(inquiry.id or 0)],
            "client_company_id": [None, company_pk],
            "lead_id": [None, inquiry.lead_id],
            "assigned_to_user_id": [None, inquiry.assigned_to_user_id],
        },
    )
    return inquiry
