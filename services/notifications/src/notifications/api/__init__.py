"""HTTP routers of the notifications service (thin: parse, call the service layer, answer)."""

from fastapi import APIRouter

routers: list[APIRouter] = []
