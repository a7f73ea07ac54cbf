"""Booking a hall for a club: one evening or a weekly series, its price and skipped dates
before confirming, the club's bookings and their cancellation."""
