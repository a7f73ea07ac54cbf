from facilities.main import definition
from samspill.migrations import run_env

run_env(definition.metadata)
