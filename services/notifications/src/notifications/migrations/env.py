from notifications.models import Table
from samspill.migrations import run_env

run_env(Table.metadata)
