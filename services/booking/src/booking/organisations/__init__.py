"""Organisations that book: registration with a checked organisation number, and reading."""
