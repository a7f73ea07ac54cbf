"""`samspill-facilities`: the kernel's standard commands and `seed-demo`."""

from facilities.config import FacilitiesSettings
from facilities.demo.command import add_seed_command
from facilities.main import definition
from samspill.service_cli import service_cli

cli = service_cli(definition, FacilitiesSettings, extra=add_seed_command)
