"""All account mutations, as one class for the root `Mutation`."""

from __future__ import annotations

import strawberry

from schema.accounts.admin_mutations import UserAdminMutation
from schema.accounts.mfa_mutations import MfaMutation
from schema.accounts.password_mutations import PasswordMutation
from schema.accounts.people import PeopleMutation
from schema.accounts.session_mutations import SessionMutation


@strawberry.type
class AccountMutation(
    SessionMutation, PasswordMutation, MfaMutation, UserAdminMutation, PeopleMutation
):
    pass
