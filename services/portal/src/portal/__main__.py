from portal.cli import cli

cli()
