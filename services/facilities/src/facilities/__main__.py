from facilities.main import cli

cli()
