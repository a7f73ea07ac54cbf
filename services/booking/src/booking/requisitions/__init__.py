"""What a requisition by the municipality's emergency staff does to bookings and loans."""
