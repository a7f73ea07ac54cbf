"""Requisitions: the municipality's emergency staff take a site (or some of its spaces) for a
period; booking cancels what overlaps and refuses new bookings until it is lifted."""
