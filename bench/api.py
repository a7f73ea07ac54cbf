"""A thin HTTP client over the three services (loopback only)."""

from __future__ import annotations

from typing import Any

import httpx

from bench.stack import BenchError, Stack


class Api:
    def __init__(self, stack: Stack, connections: int = 128) -> None:
        self.stack = stack
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.client = httpx.AsyncClient(timeout=60, limits=limits)

    async def aclose(self) -> None:
        await self.client.aclose()

    def url(self, service: str, path: str) -> str:
        return f"{self.stack.urls[service]}{path}"

    async def request(
        self, method: str, service: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.client.request(method, self.url(service, path), headers=headers, **kwargs)

    async def call(
        self, method: str, service: str, path: str, token: str | None = None, **kwargs: Any
    ) -> Any:
        """A request the data set needs: anything but 2xx stops the run with the answer."""
        response = await self.request(method, service, path, token, **kwargs)
        if response.status_code >= 300:
            raise BenchError(
                f"{method} {service}{path} → {response.status_code}: {response.text[:800]}"
            )
        return response.json() if response.content else None
