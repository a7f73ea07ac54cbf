"""Reading a state topic: the last record of each key wins whether or not the broker compacted,
and a refusal says why in bokmål and English."""

from __future__ import annotations

from aiokafka import ConsumerRecord
from hypothesis import given
from hypothesis import strategies as st

from samspill.replay import Record, StateGap, latest_records

KEYS = st.sampled_from([b"booking:1", b"booking:2", b"loan:1", b"profile:p"])
VALUES = st.one_of(st.none(), st.binary(min_size=1, max_size=4))  # None: a tombstone


def record(partition: int, offset: int, key: bytes | None, value: bytes | None) -> Record:
    return ConsumerRecord(
        "samspill.booking.state", partition, offset, 0, 0, key, value, None, 0, 0, []
    )


def partition_of(key: bytes) -> int:
    return sum(key) % 3  # one key, one partition


def read(writes: list[tuple[bytes, bytes | None]]) -> list[Record]:
    """The records as a reader gets them: partition after partition, each in offset order."""
    offsets = [0, 0, 0]
    records = []
    for key, value in writes:
        partition = partition_of(key)
        records.append(record(partition, offsets[partition], key, value))
        offsets[partition] += 1
    return sorted(records, key=lambda r: (r.partition, r.offset))


def compacted(writes: list[tuple[bytes, bytes | None]]) -> list[tuple[bytes, bytes | None]]:
    """What compaction leaves (tombstones already dropped): the last write of each key."""
    position = {key: n for n, (key, _) in enumerate(writes)}
    return [w for n, w in enumerate(writes) if position[w[0]] == n and w[1] is not None]


@given(st.lists(st.tuples(KEYS, VALUES), max_size=30))
def test_the_latest_state_is_the_same_before_and_after_compaction(writes):
    def states(records: list[Record]) -> dict[bytes | None, bytes | None]:
        return {r.key: r.value for r in latest_records(records)}

    final = {key: value for key, value in writes}
    expected = {key: value for key, value in final.items() if value is not None}
    assert states(read(writes)) == expected
    assert states(read(compacted(writes))) == expected


@given(st.lists(st.tuples(KEYS, VALUES), max_size=30))
def test_latest_records_keep_each_partitions_order(writes):
    kept = latest_records(read(writes))
    for partition in range(3):
        offsets = [r.offset for r in kept if r.partition == partition]
        assert offsets == sorted(offsets)


def test_records_without_a_key_are_left_out():
    assert latest_records([record(0, 0, None, b"x"), record(0, 1, b"k", b"y")]) == [
        record(0, 1, b"k", b"y")
    ]


def test_a_refusal_names_trimmed_partitions_and_missing_aggregates_in_both_languages():
    gap = StateGap(
        consumer="notifications",
        topic="samspill.booking.state",
        trimmed=((3, 120),),
        known=40,
        missing=2,
        examples=("e-1 (samspill.booking.confirmed.v1)",),
    )
    message = gap.message()
    assert message.startswith("Gjenoppbygging avvist: samspill.booking.state begynner ikke")
    assert "partisjon 3 starter ved offset 120" in message
    assert "2 av 40 aggregater" in message
    assert "Rebuild refused: samspill.booking.state no longer starts at the beginning" in message
    assert "partition 3 starts at offset 120" in message
    assert "2 of the 40 aggregates notifications applied" in message
    assert "e-1 (samspill.booking.confirmed.v1)" in message
    assert "--force" in message
    assert "Rebuild forced" in gap.forced_message()


def test_a_refusal_for_missing_aggregates_only_does_not_speak_of_offsets():
    gap = StateGap("notifications", "samspill.booking.state", (), 5, 5, ("e-1 (t)",))
    assert "offset" not in gap.message()
    assert "recreated or emptied" in gap.message()
