"""What the account resolvers share: a caller's origin and their own user id."""

from __future__ import annotations

from auth.origin import Origin
from resolvers.context import Context


def origin_of(ctx: Context) -> Origin:
    return Origin(request_id=ctx.request_id, client_ip=ctx.client_ip, user_agent=ctx.user_agent)


def own_user_id(ctx: Context) -> int:
    """The signed-in user; the schema lets only user sessions reach these resolvers."""
    user_id = ctx.principal.user_id
    assert user_id is not None, "the schema admits only signed-in users here"
    return user_id
