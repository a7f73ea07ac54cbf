"""HTTP routers of the booking service (thin: parse, call the service layer, answer)."""

from fastapi import APIRouter

from booking.api import availability, bookings, organisations, series

routers: list[APIRouter] = [
    organisations.router,
    availability.router,
    bookings.router,
    series.router,
]
