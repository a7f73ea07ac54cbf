"""Lillestrøm demo data, loaded through the HTTP API (`samspill-facilities seed-demo`)."""

from facilities.demo.loader import SeedSummary, seed_demo

__all__ = ["SeedSummary", "seed_demo"]
