"""How big a benchmark run is: the data loaded and the number of requests per measurement."""

from __future__ import annotations

import math
from dataclasses import dataclass

EVENING_SLOTS = 5  # one-hour slots of a school space's 17:00–22:00 window


@dataclass(frozen=True)
class Scale:
    name: str
    spaces: int  # bookable spaces (gyms, halls) over `sites` schools
    sites: int
    bookings: int  # existing bookings spread over the spaces in the availability week
    organisations: int
    feed_events: int  # bookings on the one space whose feed is measured
    booking_levels: tuple[tuple[int, int], ...]  # (concurrent clients, requests)
    availability_requests: int
    feed_renders: int  # feed requests right after its cache entry is invalidated
    feed_requests: int  # feed requests answered from the cache, and answered 304
    lag_samples: int
    item_types: int  # scarce stock: item types × units each
    units_per_type: int
    loan_clients: int
    loan_requests: int
    load_clients: int = 16  # concurrency used to load the data set
    phase_timeout_s: float = 180.0  # no single measurement runs longer than this

    @property
    def concurrency_levels(self) -> tuple[int, ...]:
        return tuple(clients for clients, _ in self.booking_levels)

    @property
    def growth_posts(self) -> tuple[int, int]:
        """(clients, requests) of POST /bookings at each growth step: the 16-client level."""
        posts = dict(self.booking_levels).get(16, self.booking_levels[-1][1])
        return min(16, posts), posts

    def measured_days(self, growth_steps: int) -> int:
        """Evenings (from day 8) kept for measured bookings: every level with its warm-up and
        each growth step's POSTs, and a day to spare. The growth series take the days after."""
        clients, posts = self.growth_posts
        needed = sum(count + n for n, count in self.booking_levels)
        needed += growth_steps * (posts + clients)
        return math.ceil(needed / (self.spaces * EVENING_SLOTS)) + 1


FULL = Scale(
    name="full",
    spaces=100,
    sites=10,
    bookings=2_000,
    organisations=40,
    feed_events=1_000,
    booking_levels=((1, 200), (16, 1_000), (64, 1_500)),
    availability_requests=40,
    feed_renders=25,
    feed_requests=200,
    lag_samples=50,
    item_types=3,
    units_per_type=4,
    loan_clients=32,
    loan_requests=600,
)

QUICK = Scale(
    name="quick",
    spaces=100,
    sites=10,
    bookings=300,
    organisations=20,
    feed_events=150,
    booking_levels=((1, 40), (16, 200), (64, 300)),
    availability_requests=15,
    feed_renders=10,
    feed_requests=40,
    lag_samples=15,
    item_types=2,
    units_per_type=3,
    loan_clients=16,
    loan_requests=120,
    phase_timeout_s=60.0,
)

# The smallest run that still goes through every step; the CI smoke test uses it.
SMOKE = Scale(
    name="smoke",
    spaces=6,
    sites=2,
    bookings=24,
    organisations=4,
    feed_events=12,
    booking_levels=((1, 8), (4, 16)),
    availability_requests=3,
    feed_renders=3,
    feed_requests=5,
    lag_samples=3,
    item_types=1,
    units_per_type=2,
    loan_clients=4,
    loan_requests=12,
    load_clients=4,
    phase_timeout_s=30.0,
)

SCALES = {scale.name: scale for scale in (FULL, QUICK, SMOKE)}
