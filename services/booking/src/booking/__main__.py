from booking.main import cli

cli()
