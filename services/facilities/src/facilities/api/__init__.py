"""HTTP routers of the facilities service (thin: parse, call the service layer, answer)."""

from fastapi import APIRouter

from facilities.api import closures, equipment, prices, sites, spaces

routers: list[APIRouter] = [
    sites.router,
    spaces.router,
    closures.router,
    prices.router,
    equipment.router,
]
