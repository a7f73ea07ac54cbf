"""Logging in and out: the authorization-code flow with PKCE against the configured issuer."""
