import booking.allocation.tables
import booking.applications.tables
import booking.availability.tables
import booking.bookings.tables
import booking.catalogue.tables
import booking.lending.tables
import booking.memberships.tables
import booking.organisations.tables
import booking.people.tables
import booking.rounds.tables
import booking.series.tables
import booking.teams.tables
import booking.waiting_list.tables  # noqa: F401 - every tables module registers on the metadata
from booking.tables import Table
from samspill.migrations import run_env

run_env(Table.metadata)
