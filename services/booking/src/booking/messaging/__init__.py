"""The service's table base and the kernel's messaging tables (outbox, inbox, dead letters)."""
