"""Samspill benchmarks: figures measured on the running stack, printed and stored as JSON.

Run with `make bench` (or `uv run python -m bench --quick` for a short run); see README.md.
"""
