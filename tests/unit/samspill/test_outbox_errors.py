"""Which produce errors are the record's fault (dead-lettered) and which the cluster's (retried)."""

from __future__ import annotations

import pytest
from aiokafka import errors

from samspill.outbox import UnencodableRecord, is_unproducible, record_size


@pytest.mark.parametrize(
    "error",
    [
        errors.MessageSizeTooLargeError("1100292 bytes"),
        errors.RecordTooLargeError(),
        errors.RecordListTooLargeError(),
        errors.InvalidTopicError(),
        errors.CorruptRecordException(),
        errors.InvalidTimestampError(),
        UnencodableRecord("headers are not pairs"),
    ],
    ids=type,
)
def test_a_record_kafka_refuses_for_what_it_is_is_unproducible(error: Exception) -> None:
    assert is_unproducible(error)


@pytest.mark.parametrize(
    "error",
    [
        errors.KafkaConnectionError(),
        errors.KafkaTimeoutError(),
        errors.NodeNotReadyError(),
        errors.RequestTimedOutError(),
        errors.NotLeaderForPartitionError(),
        errors.LeaderNotAvailableError(),
        errors.UnknownTopicOrPartitionError(),
        errors.NotEnoughReplicasError(),
        errors.KafkaStorageError(),
        errors.TopicAuthorizationFailedError(),
        errors.KafkaUnavailableError(),
        TimeoutError(),
        ConnectionRefusedError(),
        RuntimeError("a record was not acknowledged"),
    ],
    ids=type,
)
def test_an_outage_or_misconfiguration_is_retried_never_dead_lettered(error: Exception) -> None:
    assert not is_unproducible(error)


def test_record_size_counts_key_value_and_headers() -> None:
    assert record_size(b"key", b"x" * 100, [("ce_id", b"123"), ("a", b"")]) == 3 + 100 + 5 + 3 + 1
