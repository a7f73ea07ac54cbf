from facilities.cli import cli

cli()
