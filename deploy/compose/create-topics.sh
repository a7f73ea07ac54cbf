#!/bin/sh
# Creates the Samspill topics on the compose Kafka broker, then enforces their retention.
# Safe to run again: existing topics are kept and only their configuration is reapplied.
# The same topics are declared for Kubernetes as Strimzi KafkaTopics (deploy/k8s/base/kafka/topics.yaml).
set -eu

BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
BIN="${KAFKA_HOME:-/opt/kafka}/bin"
THIRTY_DAYS_MS=2592000000
# A compacted state topic's settings besides its policy and retention
# (samspill.kafka.STATE_TOPIC_CONFIG; why: docs/operations.md).
STATE_CONFIG="min.compaction.lag.ms=0,max.compaction.lag.ms=604800000,delete.retention.ms=86400000"

# name partitions retention.ms cleanup.policy (-1 keeps records forever: booking and
# notifications rebuild their read models by replaying samspill.facilities from the beginning;
# samspill.booking.state keeps the latest state of every booking aggregate, compacted)
TOPICS="
samspill.facilities 12 -1 delete
samspill.booking 12 ${THIRTY_DAYS_MS} delete
samspill.booking.state 12 -1 compact
samspill.dlq.booking 3 ${THIRTY_DAYS_MS} delete
samspill.dlq.notifications 3 ${THIRTY_DAYS_MS} delete
samspill.dlq.facilities 3 ${THIRTY_DAYS_MS} delete
"

echo "$TOPICS" | while read -r name partitions retention_ms policy; do
  [ -n "$name" ] || continue
  configs="retention.ms=$retention_ms,cleanup.policy=$policy"
  if [ "$policy" = compact ]; then
    configs="$configs,$STATE_CONFIG"
  fi
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor 1 \
    --config "retention.ms=$retention_ms" --config "cleanup.policy=$policy"
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter \
    --entity-type topics --entity-name "$name" \
    --add-config "$configs"
done

"$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --describe --topic 'samspill\..*' \
  | grep PartitionCount
