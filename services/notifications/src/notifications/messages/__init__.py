"""Messages: queued from events, delivered by email or SMS, shown in the delivery log."""
