"""iCal feeds: rendered from the read model, cached in Redis, served with HTTP caching."""
