"""A redis-server of a test's own, on a free port, so the test may kill it.

Tests that need Redis to fail use this; the shared server on 6379 is never stopped.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis_async

from core.kv import connect_redis


class OwnRedisServer:
    """A redis-server started by one test, so the test may kill it."""

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process = process
        self.url = url

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def own_redis_server(password: str | None = None) -> AsyncIterator[OwnRedisServer]:
    port = _free_port()
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    if password is not None:
        args += ["--requirepass", password]
    process = await asyncio.create_subprocess_exec(
        "redis-server",
        *args,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    credentials = f":{password}@" if password is not None else ""
    server = OwnRedisServer(process, f"redis://{credentials}127.0.0.1:{port}/0")
    try:
        probe = connect_redis(server.url, 0.5)
        try:
            async with asyncio.timeout(10):
                while True:
                    try:
                        await probe.ping()
                        break
                    except redis_async.ConnectionError:
                        await asyncio.sleep(0.02)
        finally:
            await probe.aclose()
        yield server
    finally:
        await server.stop()
