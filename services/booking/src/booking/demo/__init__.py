"""The demo's seasonal application round, made through the HTTP API (`samspill-booking
seed-demo`)."""

from booking.demo.loader import RoundSeed, seed_demo_round

__all__ = ["RoundSeed", "seed_demo_round"]
