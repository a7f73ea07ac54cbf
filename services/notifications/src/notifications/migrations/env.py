# Every feature's tables, so the metadata compared and migrated holds them all.
import notifications.feed_tokens.tables
import notifications.messages.tables
import notifications.preferences.tables
import notifications.readmodel.tables  # noqa: F401
from notifications.tables import Table
from samspill.migrations import run_env

run_env(Table.metadata)
