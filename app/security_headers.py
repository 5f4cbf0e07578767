"""Security headers on every response, whatever route, error or 404 produced it.

API answers are JSON that no browser should render, frame or run anything from: their policy
is `default-src 'none'`. A response that sets its own Content-Security-Policy (the GraphiQL
page, `app.graphiql_page`) keeps it. HSTS only in production: in development it would pin
localhost to HTTPS in the developer's browser. The middleware wraps the whole app, outside
Starlette's own error middleware, so even the 500 of a crash carries the headers.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", API_CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]
        if hsts:
            self.headers.append((b"strict-transport-security", HSTS.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [header for header in self.headers if header[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecuredStarlette(Starlette):
    """Starlette with `SecurityHeadersMiddleware` outermost, around its error middleware."""

    def __init__(self, *, hsts: bool, **kwargs: Any) -> None:
        self.hsts = hsts
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack(), hsts=self.hsts)
