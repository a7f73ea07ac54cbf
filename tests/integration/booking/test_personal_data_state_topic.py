"""The booking state topic after a person's erasure and after the retention job: the newest
record of every aggregate whose state named the person names no one (an anonymised state, or a
tombstone for the profile and the memberships), so compaction drops the records before."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking.personal_data.jobs import anonymise_history_due
from samspill.events import booking as bk
from samspill.privacy import erased_marker
from samspill.replay import Record, TopicReader
from tests.integration.booking.personal_data_support import PLANTED, plant, sql, units
from tests.integration.booking.world import World
from tests.support import eventually

pytestmark = pytest.mark.slow


async def _all_published(world: World) -> None:
    async def done() -> bool:
        pending = await world.db.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return pending == 0

    await eventually(done, timeout=30, interval=0.1)


async def newest_by_key(world: World) -> dict[bytes, Record]:
    """The newest record of each key on the state topic (tombstones included)."""
    await _all_published(world)
    async with TopicReader(world.kafka, bk.STATE_TOPIC) as reader:
        records = await reader.read_to_end()
    return {record.key: record for record in records if record.key is not None}


def names(record: Record, needles: tuple[str, ...]) -> list[str]:
    text = (record.value or b"").decode() + "".join(v.decode() for _, v in record.headers)
    return [needle for needle in needles if needle.lower() in text.lower()]


async def test_after_an_erasure_the_newest_state_of_each_aggregate_names_no_one(
    world: World,
) -> None:
    planted = await plant(world)
    person = planted.person_id
    needles = (person, *PLANTED)
    before = await newest_by_key(world)
    naming = {key for key, record in before.items() if names(record, needles)}
    kinds = {key.split(b":")[0] for key in naming}
    # The profile, the membership, the own booking, the series and its dates, and the loan.
    assert kinds == {b"profile", b"membership", b"booking", b"series", b"loan"}
    assert f"profile:{person}".encode() in naming
    assert f"membership:{planted.organisation}:{person}".encode() in naming

    erased = await world.service.client.post("/me/erasure", headers=planted.headers)
    assert erased.status_code == 202, erased.text

    after = await newest_by_key(world)
    marker = erased_marker(person)
    for key in sorted(naming):
        record = after[key]
        assert names(record, needles) == [], key
        if key.startswith((b"profile:", b"membership:")):
            assert record.value is None, f"{key!r}: a tombstone"
            assert not [name for name, _ in record.headers if name.startswith("ce_")]
        else:
            assert record.value is not None
            assert marker in record.value.decode(), key
    # The club's booking the person made never named them.
    club = after[f"booking:{planted.booking_ids['club']}".encode()]
    assert names(club, needles) == []
    assert club.value is not None


async def test_the_retention_job_replaces_the_states_it_anonymises(world: World) -> None:
    planted = await plant(world)
    person = planted.person_id
    own = f"booking:{planted.booking_ids['own']}".encode()
    loan = f"loan:{planted.loan_id}".encode()
    before = await newest_by_key(world)
    assert names(before[own], (person,)) == [person]
    assert names(before[loan], (person,)) == [person]

    late = await sql(world, "SELECT max(last_date) AS last FROM booking_series")
    everything = datetime.combine(
        late[0].last + timedelta(days=367), datetime.min.time()
    ).astimezone()
    anonymised = await anonymise_history_due(units(world), everything, 365, 100)
    assert anonymised.total > 0

    after = await newest_by_key(world)
    for key, record in after.items():
        if key.startswith((b"booking:", b"series:", b"loan:")) and key in before:
            assert names(record, (person, *PLANTED)) == [], key
    assert erased_marker(person) in (after[own].value or b"").decode()
    # Not history: the profile and the membership stay as they are.
    assert names(after[f"profile:{person}".encode()], (person,)) == [person]
