"""Allocating a round: the solver's proposal, staff's locks and forced times, accepting it and
publishing it as weekly series."""
