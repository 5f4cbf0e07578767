"""Run the app under uvicorn, trusting proxy headers only from TRUSTED_PROXIES."""

from __future__ import annotations

import uvicorn

from core.settings import Settings


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    proxies = settings.trusted_proxy_list
    uvicorn.run(
        "app.factory:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Without trusted proxies, X-Forwarded-For is ignored: anyone could forge it.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) if proxies else "",
        access_log=False,
        server_header=False,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=20,
    )
