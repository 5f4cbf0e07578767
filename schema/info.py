"""The typed `Info` every resolver receives: our request context, no root value."""

from __future__ import annotations

import strawberry

from resolvers.context import Context

Info = strawberry.Info[Context, None]
