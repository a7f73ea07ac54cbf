from booking.cli import cli

cli()
