"""A local stand-in for Sveve's SMS API, served over real HTTP: `POST /SMS/SendMessage` with
the JSON body and the `{"response": …}` answers Sveve documents (see docs/architecture.md).

Each phone number has a plan of answers, one per request: `ok`, `bad_number` (Sveve's
`errors` entry quoting the number), `http_400`, `http_503`, `slow` (answers after the
client's timeout) and `fatal` (Sveve's `fatalError`); a number without a plan is accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support import free_port

PATH = "/SMS/SendMessage"


@dataclass
class FakeSveve:
    plans: dict[str, list[str]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(42824112))
    _closing: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_message(self, request: Request) -> Response:
        payload = await request.json()
        self.requests.append(payload)
        plan = self.plans.get(payload.get("to", ""), [])
        answer = plan.pop(0) if plan else "ok"
        if answer == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), 30)
            answer = "ok"
        if answer.startswith("http_"):
            return Response(status_code=int(answer.removeprefix("http_")))
        return JSONResponse({"response": self._response(answer, payload)})

    def _response(self, answer: str, payload: dict[str, Any]) -> dict[str, Any]:
        if answer == "bad_number":
            number = payload["to"]
            return {
                "msgOkCount": 0,
                "stdSMSCount": 0,
                "errors": [{"number": number, "message": f"Ugyldig mobilnummer: {number}"}],
            }
        if answer == "fatal":
            return {"msgOkCount": 0, "stdSMSCount": 0, "fatalError": "Feil brukernavn/passord"}
        return {"msgOkCount": 1, "stdSMSCount": 1, "ids": [next(self._ids)]}


@contextlib.asynccontextmanager
async def sveve_server() -> AsyncIterator[tuple[FakeSveve, str]]:
    """The fake provider on a free loopback port; yields it and its `SendMessage` URL."""
    fake = FakeSveve()
    app = Starlette(routes=[Route(PATH, fake.send_message, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield fake, f"http://127.0.0.1:{port}{PATH}"
    finally:
        fake._closing.set()
        server.should_exit = True
        await task
