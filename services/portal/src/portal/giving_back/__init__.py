"""Giving time back: a club gives back a date or the rest of a series, and waits for a hall's
weekly time on the direct waiting list."""
