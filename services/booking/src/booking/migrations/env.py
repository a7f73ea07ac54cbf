import booking.bookings.tables
import booking.catalogue.tables
import booking.lending.tables
import booking.memberships.tables
import booking.organisations.tables
import booking.people.tables
import booking.series.tables  # noqa: F401 - every tables module registers on the metadata
from booking.tables import Table
from samspill.migrations import run_env

run_env(Table.metadata)
