"""`/bruk`: usage and transparency for the municipality, with charts and downloads."""
