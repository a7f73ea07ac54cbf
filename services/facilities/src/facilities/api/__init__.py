"""HTTP routers of the facilities service (thin: parse, call the service layer, answer)."""

from fastapi import APIRouter

routers: list[APIRouter] = []
