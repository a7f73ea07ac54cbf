"""Event contracts shared by the services (one module per topic) and the envelope codec."""

from samspill.events.base import (
    Envelope,
    EventData,
    TopicContract,
    UndecodableEvent,
    dlq_topic,
)

__all__ = ["Envelope", "EventData", "TopicContract", "UndecodableEvent", "dlq_topic"]
