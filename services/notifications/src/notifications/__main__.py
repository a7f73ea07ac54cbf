from notifications.main import cli

cli()
