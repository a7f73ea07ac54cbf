from notifications.cli import cli

cli()
