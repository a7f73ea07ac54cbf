import booking.lending.models  # noqa: F401 - registers the lending tables on the metadata
from booking.models import Table
from samspill.migrations import run_env

run_env(Table.metadata)
