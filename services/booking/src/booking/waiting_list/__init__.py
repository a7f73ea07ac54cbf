"""The waiting list of a round's unmet sections, and the offers they get when time is freed."""
