"""`auditLog`: who changed what, when and from where, newest first. Needs `audit:read`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry
from strawberry.scalars import JSON

from admin_queries import audit as audit_log
from auth.policy import Permission
from core.global_id import decode_typed_id, encode_global_id
from models.audit import AuditEntry as AuditRow
from resolvers.pagination import Page
from schema.info import Info
from schema.node import PageAfter, PageInfo, PageSize, connection_parts
from schema.permissions import permission_field


@strawberry.type(description="Who made a change: a user, an API key, or the command line.")
class AuditActor:
    user_id: strawberry.ID | None = strawberry.field(
        description="Global id of the user who acted; null for API keys and the command line."
    )
    api_key_id: strawberry.ID | None = strawberry.field(
        description="Global id of the API key that acted; null otherwise."
    )
    label: str = strawberry.field(
        description="A name recorded with the entry, e.g. `cli` or an email; may be empty."
    )


@strawberry.type(description="One privileged change or sign-in attempt, written with it.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="Global id of the entry.")
    actor: AuditActor = strawberry.field(description="Who acted.")
    action: str = strawberry.field(
        description="What was done, e.g. `client_company.update` or `client_contact.add`."
    )
    target_type: str = strawberry.field(
        description="Type of the object acted on, e.g. `ClientCompany`; may be empty."
    )
    target_id: str = strawberry.field(
        description="Database id of the object acted on, as text; may be empty."
    )
    changes: JSON = strawberry.field(
        description='The changed fields as {"field": [before, after]}; never a secret.'
    )
    request_id: str = strawberry.field(
        description="Id of the request that made the change, as in `X-Request-Id`."
    )
    client_ip: str = strawberry.field(description="Address the request came from.")
    created_at: datetime = strawberry.field(description="When the change was made.")

    @classmethod
    def from_row(cls, row: AuditRow) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        user_id, api_key_id = row.actor_user_id, row.actor_api_key_id
        return cls(
            id=strawberry.ID(encode_global_id("AuditEntry", row.id)),
            actor=AuditActor(
                user_id=None
                if user_id is None
                else strawberry.ID(encode_global_id("User", user_id)),
                api_key_id=(
                    None
                    if api_key_id is None
                    else strawberry.ID(encode_global_id("ApiKey", api_key_id))
                ),
                label=row.actor_label,
            ),
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            changes=JSON(row.changes),
            request_id=row.request_id,
            client_ip=row.client_ip,
            created_at=row.created_at,
        )


@strawberry.input(description="Conditions on audit entries; all given must hold.")
class AuditLogFilter:
    action: str | None = strawberry.field(
        default=None, description="Only this action, e.g. `client_company.update`."
    )
    actor_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only changes made by this user (a global id)."
    )
    target_type: str | None = strawberry.field(
        default=None, description="Only changes to objects of this type, e.g. `ClientCompany`."
    )
    target_id: str | None = strawberry.field(
        default=None, description="Only changes to the object with this database id."
    )
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Only entries at or after this moment."
    )
    to: datetime | None = strawberry.field(
        default=None, description="Only entries before this moment."
    )

    def to_resolver(self) -> audit_log.AuditFilter:
        actor = self.actor_user_id
        return audit_log.AuditFilter(
            action=self.action,
            actor_user_id=(
                None
                if actor is None
                else decode_typed_id(actor, "User", argument="filter.actorUserId")
            ),
            target_type=self.target_type,
            target_id=self.target_id,
            since=self.from_,
            until=self.to,
        )


@strawberry.type(description="An audit entry in a list, with the cursor to continue after it.")
class AuditEntryEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the entries after it.")
    node: AuditEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of audit entries, newest first (Relay connection).")
class AuditEntryConnection:
    page: strawberry.Private[Page[AuditRow]]
    edges: list[AuditEntryEdge] = strawberry.field(description="Entries with cursors.")
    nodes: list[AuditEntry] = strawberry.field(description="Entries without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[AuditRow]) -> Self:
        edges, nodes, info = connection_parts(page, AuditEntry.from_row, AuditEntryEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many entries match the filter, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()


@strawberry.type
class AuditQuery:
    @permission_field(
        Permission.AUDIT_READ,
        description="The audit log, newest first, a page at a time.",
    )
    async def audit_log(
        self,
        info: Info,
        filter: Annotated[
            AuditLogFilter | None,
            strawberry.argument(description="Only entries meeting these conditions."),
        ] = None,
        first: PageSize = 20,
        after: PageAfter = None,
    ) -> AuditEntryConnection | None:
        page = await audit_log.list_audit_entries(
            info.context,
            first=first,
            after=after,
            audit_filter=(filter or AuditLogFilter()).to_resolver(),
        )
        return AuditEntryConnection.from_page(page)
