"""What the round pages ask booking to do, with the administrator's token."""

from __future__ import annotations

from typing import Any

from portal.apis import Apis
from portal.domain.rounds import ForceForm, RoundForm, RunChoice


async def create_round(apis: Apis, token: str, form: RoundForm) -> str:
    found = await apis.post("booking", "/rounds", token=token, json=form.body())
    return str(found["id"])


async def update_round(apis: Apis, token: str, round_id: str, form: RoundForm) -> None:
    await apis.patch("booking", f"/rounds/{round_id}", token=token, json=form.body())


async def close_round(apis: Apis, token: str, round_id: str) -> None:
    await apis.post("booking", f"/rounds/{round_id}/close", token=token)


async def run_allocation(apis: Apis, token: str, round_id: str, choice: RunChoice) -> None:
    body = {"method": choice.method, "time_limit_s": choice.time_limit_s}
    await apis.post(
        "booking",
        f"/rounds/{round_id}/allocation/run",
        token=token,
        json=body,
        timeout=choice.time_limit_s + 30.0,  # the solver may use all of its time limit
    )


async def lock_time(apis: Apis, token: str, round_id: str, time_id: str, lock: bool) -> None:
    action = "lock" if lock else "unlock"
    await apis.post(
        "booking", f"/rounds/{round_id}/allocation/times/{time_id}/{action}", token=token
    )


async def remove_time(apis: Apis, token: str, round_id: str, time_id: str) -> None:
    await apis.delete("booking", f"/rounds/{round_id}/allocation/times/{time_id}", token=token)


async def force_time(apis: Apis, token: str, round_id: str, form: ForceForm) -> None:
    path = f"/rounds/{round_id}/allocation/times"
    await apis.post("booking", path, token=token, json=form.body())


async def accept(apis: Apis, token: str, round_id: str) -> None:
    await apis.post("booking", f"/rounds/{round_id}/allocation/accept", token=token)


async def reopen(apis: Apis, token: str, round_id: str) -> None:
    await apis.post("booking", f"/rounds/{round_id}/allocation/reopen", token=token)


async def publish(apis: Apis, token: str, round_id: str) -> Any:
    return await apis.post("booking", f"/rounds/{round_id}/publish", token=token, timeout=120.0)
