"""Usage and transparency: hours released, booked and used, loans and the invoice basis."""
