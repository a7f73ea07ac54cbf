"""Borrowing equipment: the centres' catalogue, what is free for chosen dates, reserving,
and the person's loans with cancellation."""
