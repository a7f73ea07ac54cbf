"""People log in at the embedded OpenID Connect provider and what they may do is data.

The three services run as real processes trusting the provider (and only it, besides the
development key the setup uses for the municipal admin). A club leader logs in with the
authorization-code flow and PKCE, registers a club and invites a member by e-mail; the member
logs in, enters a profile with that address, accepts the link from the mail and books in the
club's name; the leader removes them and they are refused at once: by booking (its own table)
and by notifications as soon as the removal event is applied there.

The provider plants an ID-porten style national identity number in every token; afterwards
no table, log line or event of Samspill holds it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from samspill.db import create_engine
from samspill.events import booking as booking_events
from samspill.events import facilities as facilities_events
from samspill.identity_provider import IdentityProvider, log_in, oidc_issuers_env
from samspill.kafka import KafkaConfig
from tests.dates import ordinary_day, today
from tests.e2e.stack import Stack, evening, logs_shown_on_failure, register_school, stack, token
from tests.identity import PLANTED_PID, TEST_REDIRECT_URI
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.reliability.stack import read_until_quiet
from tests.support import eventually

pytestmark = pytest.mark.e2e

MEMBER_EMAIL = "ola.nordmann@example.org"


async def test_log_in_invite_accept_book_remove(
    infra, isolated_kafka: KafkaConfig, database_factory, tmp_path: Path, identity_provider
) -> None:
    mailbox = Mailbox()
    env = {"OIDC_ISSUERS": oidc_issuers_env(identity_provider.issuer), "LOG_LEVEL": "DEBUG"}
    async with (
        smtp_server(mailbox) as smtp_port,
        stack(
            infra, isolated_kafka, database_factory, smtp_port, tmp_path, label="identity", env=env
        ) as s,
    ):
        with logs_shown_on_failure(tmp_path):
            await _scenario(s, mailbox, identity_provider)
            await _nothing_holds_the_national_identity_number(s, isolated_kafka, tmp_path)


def _access_token(provider: IdentityProvider, login: str) -> str:
    """An access token from the provider's login form, with PKCE (S256)."""
    return log_in(provider.issuer, login=login, redirect_uri=TEST_REDIRECT_URI).access_token


async def _scenario(s: Stack, mailbox: Mailbox, provider: IdentityProvider) -> None:
    leader = _access_token(provider, "demo-club-leader")
    member = _access_token(provider, "demo-club-member")
    space_id = await _bookable_gym(s, token("admin-1", admin=True))

    me = await s.call("GET", "booking", "/me", leader)
    assert me["memberships"] == []
    assert not me["is_admin"]
    club = await s.call(
        "POST",
        "booking",
        "/organisations",
        leader,
        json={
            "name": "Strømmen Sjakklubb",
            "org_number": "974760673",
            "category": "culture",
            "contact": {"name": "Styret", "email": "styret@sjakk.example.org"},
        },
    )
    memberships = (await s.call("GET", "booking", "/me", leader))["memberships"]
    roles = {m["organisation_id"]: m["role"] for m in memberships}
    assert roles == {club["id"]: "administrator"}

    # Not a member yet: booking in the club's name is refused.
    day = ordinary_day(10)
    body = _booking(space_id, club["id"], day)
    assert (await s.request("POST", "booking", "/bookings", member, json=body)).status_code == 404

    await s.call(
        "POST",
        "booking",
        f"/organisations/{club['id']}/invitations",
        leader,
        json={"email": MEMBER_EMAIL, "role": "booker"},
    )
    code = await eventually(lambda: _invitation_code(mailbox), timeout=60)
    await s.call(
        "PUT",
        "booking",
        "/me/profile",
        member,
        json={"display_name": "Ola Nordmann", "email": MEMBER_EMAIL, "language": "nb"},
    )
    accepted = await s.request("POST", "booking", f"/invitations/{code}/accept", member)
    assert accepted.status_code == 200, accepted.text
    again = await s.request("POST", "booking", f"/invitations/{code}/accept", member)
    assert again.status_code == 409, again.text

    booked = await s.call("POST", "booking", "/bookings", member, json=body)
    assert booked["status"] in ("confirmed", "requested")
    feed = {"kind": "organisation", "organisation_id": club["id"]}
    await s.once_allowed("POST", "notifications", "/feed-tokens", member, json=feed)

    member_id = (await s.call("GET", "booking", "/me", member))["person_id"]
    await s.call("DELETE", "booking", f"/organisations/{club['id']}/members/{member_id}", leader)
    later = _booking(space_id, club["id"], ordinary_day(20))
    refused = await s.request("POST", "booking", "/bookings", member, json=later)
    assert refused.status_code in (403, 404), refused.text

    async def refused_by_notifications() -> bool:
        answer = await s.request("POST", "notifications", "/feed-tokens", member, json=feed)
        return answer.status_code in (403, 404)

    await eventually(refused_by_notifications, timeout=30)


async def _bookable_gym(s: Stack, admin: str) -> str:
    site_id, manager = await register_school(s, admin)
    gym = await s.call(
        "POST",
        "facilities",
        "/spaces",
        manager,
        json={"site_id": site_id, "name": "Gymsalen", "kind": "gym", "capacity": 40},
    )
    first = today()
    await s.call(
        "POST",
        "facilities",
        f"/spaces/{gym['space_id']}/windows",
        manager,
        json={
            "weekdays": list(range(7)),
            "start_time": "17:00",
            "end_time": "22:00",
            "valid_from": first.isoformat(),
            "valid_to": (first + timedelta(days=90)).isoformat(),
        },
    )

    async def known() -> bool:
        return bool(await s.scalar("booking", "SELECT count(*) FROM read_window") == 1)

    await eventually(known, timeout=30)
    return str(gym["space_id"])


def _booking(space_id: str, organisation_id: str, day: date) -> dict[str, Any]:
    return {
        "space_id": space_id,
        "organisation_id": organisation_id,
        "activity": "sjakktrening",
        "audience": "non_profit",
        "participants": 12,
        "start": evening(day, 18),
        "end": evening(day, 20),
    }


async def _invitation_code(mailbox: Mailbox) -> str | None:
    for body in mailbox.bodies(MEMBER_EMAIL):
        found = re.search(r"/invitasjoner/([A-Za-z0-9_-]{20,})", body)
        if found:
            return found.group(1)
    return None


async def _nothing_holds_the_national_identity_number(
    s: Stack, kafka: KafkaConfig, logs: Path
) -> None:
    for service, url in s.databases.items():
        assert not await _rows_holding(url, PLANTED_PID), f"{service}'s tables hold it"
    for name, content in _logs(logs).items():
        assert PLANTED_PID not in content, f"{name} holds it"
    for contract in (booking_events.contract, facilities_events.contract):
        for envelope in await read_until_quiet(kafka, contract):
            assert PLANTED_PID not in envelope.data.model_dump_json(), envelope.type


def _logs(folder: Path) -> dict[str, str]:
    return {log.name: log.read_text(errors="replace") for log in folder.glob("*.log")}


async def _rows_holding(database_url: str, needle: str) -> list[str]:
    """Every table of the database whose rows, as text, contain `needle`."""
    engine = create_engine(database_url, pool_size=1)
    found: list[str] = []
    try:
        async with engine.connect() as connection:
            tables = (
                await connection.execute(
                    text(
                        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) "
                        "FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                        "AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                    )
                )
            ).scalars()
            for table in list(tables):
                hits = await connection.scalar(
                    text(f"SELECT count(*) FROM {table} t WHERE t::text LIKE :needle"),
                    {"needle": f"%{needle}%"},
                )
                if hits:
                    found.append(table)
            # Events wait in the outbox as bytes, which `::text` shows in hex: decode them.
            binary = (
                await connection.execute(
                    text(
                        "SELECT quote_ident(table_name), quote_ident(column_name) "
                        "FROM information_schema.columns WHERE data_type = 'bytea' "
                        "AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                    )
                )
            ).all()
            for table, column in binary:
                hits = await connection.scalar(
                    text(
                        f"SELECT count(*) FROM {table} "
                        f"WHERE convert_from({column}, 'UTF8') LIKE :needle"
                    ),
                    {"needle": f"%{needle}%"},
                )
                if hits:
                    found.append(f"{table}.{column}")
    finally:
        await engine.dispose()
    return found
