"""HTTP routers of the booking service (thin: parse, call the service layer, answer)."""

from fastapi import APIRouter

routers: list[APIRouter] = []
