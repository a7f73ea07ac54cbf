"""The read model of facilities data (sites, spaces, windows, closures, prices, stock)."""
