"""The read model of sites, spaces, organisations, bookings and loans, built from events."""
