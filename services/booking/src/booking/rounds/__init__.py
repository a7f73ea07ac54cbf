"""Seasonal application rounds: a set of halls, its periods and its states."""
