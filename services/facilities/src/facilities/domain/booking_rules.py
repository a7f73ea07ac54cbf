"""Per-space booking rules set by the site manager (shared with booking)."""

from samspill.booking_rules import BookingRules, WhoMayBook

__all__ = ["BookingRules", "WhoMayBook"]
