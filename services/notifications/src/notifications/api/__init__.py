"""HTTP routers of the notifications service (thin: parse, call the service layer, answer)."""

from fastapi import APIRouter

from notifications.api import feeds, messages, preferences, tokens

routers: list[APIRouter] = [feeds.router, tokens.router, messages.router, preferences.router]
