"""Hall bookings: single bookings, weekly series, approvals, availability and the reactions to
facilities changes. Routers live in `booking.api`; nothing here commits except the use cases'
one `uow.commit()`."""
