"""A TCP proxy on 127.0.0.1 that a test can cut and restore, to take the broker away.

`cut()` closes the listening socket (new connections are refused) and aborts every open
connection in both directions, as a network partition or a crashed broker host would look to
the clients; `restore()` listens on the same port again. The broker behind it keeps running,
so what it holds is not lost (the embedded broker keeps its data in memory only).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from samspill.infra import free_port

_CHUNK = 64 * 1024


class TcpProxy:
    def __init__(self, target_port: int, *, port: int | None = None) -> None:
        self.target_port = target_port
        self.port = port or free_port()
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def is_open(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._connect, "127.0.0.1", self.port, reuse_address=True
            )

    async def cut(self) -> None:
        """Refuse new connections and abort the open ones."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()

    async def _connect(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        try:
            upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client.transport.abort()
            return
        if self._server is None:  # cut while connecting
            client.transport.abort()
            upstream.transport.abort()
            return
        self.accepted += 1
        self._writers.update((client, upstream))
        for reader, writer in ((client_reader, upstream), (upstream_reader, client)):
            task = asyncio.create_task(self._pipe(reader, writer))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(_CHUNK):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()


@contextlib.asynccontextmanager
async def tcp_proxy(target_port: int, *, port: int | None = None) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(target_port, port=port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()
