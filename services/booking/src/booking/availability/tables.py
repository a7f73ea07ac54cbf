"""`availability_version`: a version per space and per site that moves in the transaction of
every change to what the space's free time is computed from, so a cached day of free time is
known to be current by its version alone.

Database triggers (migration `availability versions`) move it, so every writer is covered
without a line of its own:

- `booking`: a booking made, moved, cancelled or otherwise changing status → its space;
- `read_space`, `read_window`: a space's rules, conflict set or windows → that space;
- `read_closure`: a closure (or requisition) of a space → the space, of a whole site → the site;
- `read_site`: the site (its name and district are in the answer);
- `application_round_space`, `application_round`: a round's spaces, evenings, season or state
  (the season evenings a round keeps from direct booking) → each space of the round.

A space's free time depends on its own version, the versions of the spaces it cannot be used
with (their bookings and closures block it) and its site's version. The triggers are deferred
to the commit, so a booking's transaction holds the version row only while it commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Column
from sqlmodel import Field

from booking.tables import Table


class AvailabilityVersion(Table, table=True):
    __tablename__ = "availability_version"

    subject_id: uuid.UUID = Field(primary_key=True)  # a space id or a site id
    # Microseconds of the clock at the change (at least one more than before): unlike a
    # counter from 1 it does not repeat after the database is made anew while Redis keeps
    # the entries cached under the old one.
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
