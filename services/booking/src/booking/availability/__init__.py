"""Free slots per space, from the catalogue and the active bookings (public)."""
