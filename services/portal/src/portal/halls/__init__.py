"""Find a free hall: the search with its list and week grid, and each hall's own page."""
