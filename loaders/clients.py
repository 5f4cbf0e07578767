"""Client records' relations, scoped to the caller on every path.

Staff holding `clients:read` see every company; a client user sees its own company and no
other; everyone else sees none. A company a caller may not see is a miss, exactly like one
that does not exist. Contacts are personal data: only callers holding `clients:read_pii`
load them, and the users of a company only those holding `clients:read`, so a forgotten
field gate still leaks nothing. Dues (the credit standing) are finance's and, for its own
account, the company's users'.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlmodel import col, select

from auth.policy import Permission
from auth.principal import Principal
from loaders.relations import Relation
from loaders.scoping import own_company_rows
from models.accounts import Role, User
from models.clients import ClientCompany, ClientContact, ClientDue


def company_is_visible(principal: Principal) -> ColumnElement[bool]:
    """Which client companies `principal` may see."""
    return own_company_rows(
        principal, col(ClientCompany.id), staff_permission=Permission.CLIENTS_READ
    )


def contact_is_visible(principal: Principal) -> ColumnElement[bool]:
    if not principal.can(Permission.CLIENTS_READ_PII):
        return false()
    visible_companies = select(col(ClientCompany.id)).where(company_is_visible(principal))
    return col(ClientContact.company_id).in_(visible_companies)


def due_is_visible(principal: Principal) -> ColumnElement[bool]:
    """A company's dues are its credit standing: finance staff see every company's, a client
    user its own company's (its account, `myAccount`), nobody else any."""
    return own_company_rows(
        principal, col(ClientDue.company_id), staff_permission=Permission.FINANCE_READ
    )


def company_user_is_visible(principal: Principal) -> ColumnElement[bool]:
    if not principal.can(Permission.CLIENTS_READ):
        return false()
    return col(User.role) == Role.CLIENT


CLIENT_COMPANY_BY_ID = Relation(
    "client_company_by_id",
    ClientCompany,
    col(ClientCompany.id),
    visible=company_is_visible,
)
CONTACTS_BY_COMPANY = Relation(
    "contacts_by_company",
    ClientContact,
    col(ClientContact.company_id),
    many=True,
    order_by=(col(ClientContact.name), col(ClientContact.id)),
    visible=contact_is_visible,
)
DUES_BY_COMPANY = Relation(
    "dues_by_company",
    ClientDue,
    col(ClientDue.company_id),
    many=True,
    order_by=(col(ClientDue.due_date),),
    visible=due_is_visible,
)
USERS_BY_COMPANY = Relation(
    "users_by_company",
    User,
    col(User.client_company_id),
    many=True,
    order_by=(col(User.email),),
    visible=company_user_is_visible,
)
