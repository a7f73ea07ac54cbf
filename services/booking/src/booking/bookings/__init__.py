"""Hall bookings: request, approve, reject, cancel and read one-off bookings."""
