"""Invitations against the real service, database and broker: the code travels only in the
event, the link works once, in time, for the person it was sent to; every refusal changes
nothing."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from samspill.clock import utc_now
from samspill.events import booking as be
from tests.integration.booking.world import World
from tests.integration.kernel_support import read_envelopes

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
CREATED = "samspill.booking.invitation.created.v1"
CHANGED = "samspill.booking.membership.changed.v1"


async def invite(
    world: World, organisation: uuid.UUID, email: str, role: str = "booker"
) -> tuple[dict[str, Any], str]:
    """The invitation as the API answers it, and its code as the event carries it."""
    answer = await world.service.client.post(
        f"/organisations/{organisation}/invitations",
        json={"email": email, "role": role, "language": "en"},
        headers=world.member(organisation),
    )
    assert answer.status_code == 201, answer.text
    invitation = answer.json()
    return invitation, (await event_of(world, invitation["invitation_id"]))["code"]


async def event_of(world: World, invitation_id: str) -> dict[str, Any]:
    created = await world.db.events(CREATED)
    return next(
        e["invitation"] for e in created if e["invitation"]["invitation_id"] == invitation_id
    )


async def enter_profile(world: World, sub: str, email: str | None) -> None:
    body: dict[str, Any] = {"display_name": sub.title(), "email": email}
    if email is None:
        body |= {"phone": "+47 400 00 001", "channel": "sms"}
    answer = await world.service.client.put("/me/profile", json=body, headers=world.person(sub))
    assert answer.status_code == 200, answer.text


async def stored(world: World) -> tuple[Any, ...]:
    """Memberships, invitations and membership events: what a refusal must not change."""
    return (
        await world.db.rows("SELECT * FROM membership ORDER BY organisation_id, person_id"),
        await world.db.rows(
            "SELECT id, accepted_at, accepted_by, withdrawn_at FROM invitation ORDER BY id"
        ),
        await world.db.scalar("SELECT count(*) FROM outbox WHERE event_type = :t", t=CHANGED),
    )


@contextlib.contextmanager
def clock_moved(world: World, by: timedelta) -> Iterator[None]:
    """The service's clock (`samspill.clock.utc_now`, what routes read) moved ahead."""
    overrides = world.service.app.dependency_overrides
    overrides[utc_now] = lambda: datetime.now().astimezone() + by
    try:
        yield
    finally:
        overrides.pop(utc_now, None)


def assert_problem(answer: Any, status: int, code: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["detail_nb"], answer.text
    if code is not None:
        assert answer.json()["type"].endswith(f"/{code}"), answer.text


async def test_an_invitation_is_accepted_once_by_the_person_it_was_sent_to(world: World):
    org = world.organisations[0]
    client, service = world.service.client, world.service
    await enter_profile(world, world.founders[org], "leder@idrettslag.example")

    invitation, code = await invite(world, org, "Kari.Hansen@Example.org")

    assert code not in str(invitation)
    assert invitation["role"] == "booker"
    assert invitation["invited_by"] == service.person_id(world.founders[org])
    lifetime = datetime.fromisoformat(invitation["expires_at"]) - datetime.fromisoformat(
        invitation["created_at"]
    )
    assert lifetime == timedelta(days=7)  # INVITATION_TTL_DAYS' default
    event = await event_of(world, invitation["invitation_id"])
    assert event["organisation_name"] == "Idrettslag 0"
    assert event["invited_by_name"] == world.founders[org].title()
    assert (event["email"], event["role"], event["language"]) == (
        "Kari.Hansen@example.org",
        "booker",
        "en",
    )
    [key] = await world.db.rows("SELECT key FROM outbox WHERE event_type = :t", t=CREATED)
    assert key.key == str(org)
    published = await read_envelopes(
        world.kafka,
        be.contract,
        expected=1,
        accept=lambda envelope: isinstance(envelope.data, be.InvitationCreated),
    )
    assert published[0].data.invitation.code == code  # type: ignore[union-attr]
    # Only the code's hash is stored.
    digest = hashlib.sha256(code.encode()).hexdigest()
    assert await world.db.scalar("SELECT count(*) FROM invitation WHERE code_hash = :h", h=digest)
    leaked = "SELECT count(*) FROM invitation i WHERE row_to_json(i)::text LIKE :code"
    assert await world.db.scalar(leaked, code=f"%{code}%") == 0

    shown = await client.get(f"/invitations/{code}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["organisation_name"] == "Idrettslag 0"
    assert shown.json()["role"] == "booker"
    pending = await client.get(f"/organisations/{org}/invitations", headers=world.member(org))
    assert [i["invitation_id"] for i in pending.json()] == [invitation["invitation_id"]]

    # Refused, each changing nothing: no token, no profile, a profile with another address,
    # a profile without any address, an integration's token.
    before = await stored(world)
    assert_problem(await client.post(f"/invitations/{code}/accept"), 401)
    no_profile = await client.post(f"/invitations/{code}/accept", headers=world.person("kari"))
    assert_problem(no_profile, 403, "profile-needed")
    assert "profile" in no_profile.json()["detail"]
    await enter_profile(world, "ola", "ola@example.org")
    other = await client.post(f"/invitations/{code}/accept", headers=world.person("ola"))
    assert_problem(other, 403, "invitation-for-someone-else")
    await enter_profile(world, "per", None)
    phone_only = await client.post(f"/invitations/{code}/accept", headers=world.person("per"))
    assert_problem(phone_only, 403, "profile-needed")
    integration = service.token("club-sync", scopes=["samspill.admin"])
    assert_problem(await client.post(f"/invitations/{code}/accept", headers=integration), 403)
    assert await stored(world) == before

    await enter_profile(world, "kari", "kari.hansen@example.ORG")
    accepted = await client.post(f"/invitations/{code}/accept", headers=world.person("kari"))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {
        "organisation_id": str(org),
        "organisation_name": "Idrettslag 0",
        "role": "booker",
    }
    kari = service.person_id("kari")
    [changed] = [e for e in await world.db.events(CHANGED) if e["membership"]["person_id"] == kari]
    assert changed["membership"] == {
        "organisation_id": str(org),
        "person_id": kari,
        "role": "booker",
    }
    me = (await client.get("/me", headers=world.person("kari"))).json()
    assert [(m["organisation_id"], m["role"]) for m in me["memberships"]] == [(str(org), "booker")]

    # Used: 409 for anyone, the page too; no longer pending.
    after = await stored(world)
    await enter_profile(world, "kari-2", "kari.hansen@example.org")
    for who in ("kari", "kari-2"):
        again = await client.post(f"/invitations/{code}/accept", headers=world.person(who))
        assert_problem(again, 409, "invitation-used")
    assert_problem(await client.get(f"/invitations/{code}"), 409, "invitation-used")
    assert (
        await client.get(f"/organisations/{org}/invitations", headers=world.member(org))
    ).json() == []
    assert await stored(world) == after

    unknown = "x" * 43
    assert_problem(await client.get(f"/invitations/{unknown}"), 404)
    assert_problem(
        await client.post(f"/invitations/{unknown}/accept", headers=world.person("kari")), 404
    )
    assert (await client.get("/invitations/short")).status_code == 422


async def test_expired_and_withdrawn_invitations_are_gone(world: World):
    org, other = world.organisations
    client = world.service.client
    await enter_profile(world, "kari", "kari@example.org")
    expiring, expiring_code = await invite(world, org, "kari@example.org")
    withdrawn, withdrawn_code = await invite(world, org, "kari@example.org", role="viewer")

    before = await stored(world)
    with clock_moved(world, timedelta(days=7, minutes=1)):
        expired = await client.post(
            f"/invitations/{expiring_code}/accept", headers=world.person("kari")
        )
        assert_problem(expired, 410, "invitation-gone")
        assert expired.json()["reason"] == "expired"
        assert_problem(await client.get(f"/invitations/{expiring_code}"), 410)
        later = await client.get(f"/organisations/{org}/invitations", headers=world.member(org))
        assert later.json() == []
    assert await stored(world) == before

    # Withdrawing: administrators only (403 for a member, 404 outside the organisation).
    await invite_member(world, org, "ola", "booker")
    url = f"/organisations/{org}/invitations/{withdrawn['invitation_id']}"
    assert_problem(await client.delete(url, headers=world.person("ola")), 403)
    assert_problem(await client.delete(url, headers=world.member(other)), 404)
    unknown = f"/organisations/{org}/invitations/{uuid.uuid4()}"
    assert_problem(await client.delete(unknown, headers=world.member(org)), 404)
    assert (await client.delete(url, headers=world.member(org))).status_code == 204
    assert (await client.delete(url, headers=world.member(org))).status_code == 204  # again: same
    gone = await client.post(f"/invitations/{withdrawn_code}/accept", headers=world.person("kari"))
    assert_problem(gone, 410, "invitation-gone")
    assert gone.json()["reason"] == "withdrawn"
    pending = await client.get(f"/organisations/{org}/invitations", headers=world.member(org))
    assert [i["invitation_id"] for i in pending.json()] == [expiring["invitation_id"]]

    # A used invitation cannot be withdrawn.
    used, used_code = await invite(world, org, "kari@example.org")
    accepted = await client.post(f"/invitations/{used_code}/accept", headers=world.person("kari"))
    assert accepted.status_code == 200, accepted.text
    used_url = f"/organisations/{org}/invitations/{used['invitation_id']}"
    assert_problem(await client.delete(used_url, headers=world.member(org)), 409)


async def invite_member(world: World, organisation: uuid.UUID, sub: str, role: str) -> None:
    await enter_profile(world, sub, f"{sub}@example.org")
    _, code = await invite(world, organisation, f"{sub}@example.org", role)
    accepted = await world.service.client.post(
        f"/invitations/{code}/accept", headers=world.person(sub)
    )
    assert accepted.status_code == 200, accepted.text


async def test_only_administrators_invite_and_bad_input_stores_nothing(world: World):
    org, other = world.organisations
    client = world.service.client
    await invite_member(world, org, "ola", "booker")
    before = await world.db.scalar("SELECT count(*) FROM invitation")
    url = f"/organisations/{org}/invitations"
    good = {"email": "nora@example.org", "role": "viewer"}
    assert_problem(await client.post(url, json=good, headers=world.person("ola")), 403)
    assert_problem(await client.get(url, headers=world.person("ola")), 403)
    assert_problem(await client.post(url, json=good, headers=world.member(other)), 404)
    assert_problem(await client.post(url, json=good), 401)
    for bad in (
        {"email": "not-an-email", "role": "viewer"},
        {"email": "nora@example.org", "role": "owner"},
        {"email": "nora@example.org", "role": "viewer", "language": "de"},
        {"email": "nora@example.org", "role": "viewer", "code": "mine"},
        {"email": f"{'n' * 250}@example.org", "role": "viewer"},
    ):
        assert_problem(await client.post(url, json=bad, headers=world.member(org)), 422)
    assert await world.db.scalar("SELECT count(*) FROM invitation") == before
    # A municipal admin may invite to any organisation.
    by_admin = await client.post(url, json=good, headers=world.admin())
    assert by_admin.status_code == 201, by_admin.text


async def test_accepting_changes_a_members_role_but_never_the_last_administrators(world: World):
    org = world.organisations[0]
    client, service = world.service.client, world.service
    founder = world.founders[org]
    await enter_profile(world, founder, "leder@example.org")
    _, demoting = await invite(world, org, "leder@example.org", role="viewer")
    before = await stored(world)
    refused = await client.post(f"/invitations/{demoting}/accept", headers=world.member(org))
    assert_problem(refused, 409, "last-administrator")
    assert await stored(world) == before, "the invitation stays unused, the role unchanged"

    await invite_member(world, org, "ola", "booker")
    _, promoting = await invite(world, org, "ola@example.org", role="administrator")
    promoted = await client.post(f"/invitations/{promoting}/accept", headers=world.person("ola"))
    assert promoted.status_code == 200, promoted.text
    roles = dict(
        await world.db.rows(
            "SELECT person_id, role FROM membership WHERE organisation_id = :o", o=org
        )
    )
    assert roles == {
        service.person_id(founder): "administrator",
        service.person_id("ola"): "administrator",
    }
    # Now there is another administrator, the founder may take the viewer's role.
    stepped = await client.post(f"/invitations/{demoting}/accept", headers=world.member(org))
    assert stepped.status_code == 200, stepped.text
    assert stepped.json()["role"] == "viewer"


async def test_one_code_accepted_by_two_at_once_admits_one(world: World):
    org = world.organisations[0]
    client = world.service.client
    subs = [f"twin-{n}" for n in range(4)]
    for sub in subs:
        await enter_profile(world, sub, "twins@example.org")
    _, code = await invite(world, org, "twins@example.org")

    answers = await asyncio.gather(
        *(client.post(f"/invitations/{code}/accept", headers=world.person(sub)) for sub in subs)
    )

    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], [a.text for a in answers]
    twins = {world.service.person_id(sub) for sub in subs}
    members = await world.db.rows(
        "SELECT person_id FROM membership WHERE organisation_id = :o", o=org
    )
    assert len(twins & {row.person_id for row in members}) == 1
    accepted_by = await world.db.scalar("SELECT accepted_by FROM invitation")
    assert accepted_by in twins
