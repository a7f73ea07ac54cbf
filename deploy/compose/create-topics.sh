#!/bin/sh
# Creates the Samspill topics on the compose Kafka broker, then enforces their retention.
# Safe to run again: existing topics are kept and only their configuration is reapplied.
# The same topics are declared for Kubernetes as Strimzi KafkaTopics (deploy/k8s/base/kafka/topics.yaml).
set -eu

BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
BIN="${KAFKA_HOME:-/opt/kafka}/bin"
THIRTY_DAYS_MS=2592000000

# name partitions retention.ms (-1 keeps records forever: booking rebuilds its read model
# by replaying samspill.facilities from the beginning)
TOPICS="
samspill.facilities 12 -1
samspill.booking 12 ${THIRTY_DAYS_MS}
samspill.dlq.booking 3 ${THIRTY_DAYS_MS}
samspill.dlq.notifications 3 ${THIRTY_DAYS_MS}
samspill.dlq.facilities 3 ${THIRTY_DAYS_MS}
"

echo "$TOPICS" | while read -r name partitions retention_ms; do
  [ -n "$name" ] || continue
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor 1 \
    --config "retention.ms=$retention_ms" --config cleanup.policy=delete
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter \
    --entity-type topics --entity-name "$name" \
    --add-config "retention.ms=$retention_ms"
done

"$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --describe --topic 'samspill\..*' \
  | grep PartitionCount
