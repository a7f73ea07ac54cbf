"""A thin HTTP client over the three services (loopback only)."""

from __future__ import annotations

from typing import Any

import aiohttp
import httpx

from bench.stack import BenchError, Stack


class Api:
    def __init__(self, stack: Stack, connections: int = 128) -> None:
        self.stack = stack
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.client = httpx.AsyncClient(timeout=60, limits=limits)
        self._connections = connections
        self._load: aiohttp.ClientSession | None = None

    async def aclose(self) -> None:
        await self.client.aclose()
        if self._load is not None:
            await self._load.close()

    async def status(self, method: str, service: str, path: str, token: str, *, json: Any) -> str:
        """A measured request under load: its status code, or the name of the transport error
        when there was no answer. aiohttp, not httpx: httpx's pool costs the load client
        several times more CPU per request with 64 connections open than with 16, CPU the
        services under measurement share."""
        if self._load is None:
            connector = aiohttp.TCPConnector(limit=self._connections)
            timeout = aiohttp.ClientTimeout(total=60)
            self._load = aiohttp.ClientSession(connector=connector, timeout=timeout)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with self._load.request(
                method, self.url(service, path), headers=headers, json=json
            ) as response:
                await response.read()
                return str(response.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return type(exc).__name__

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
