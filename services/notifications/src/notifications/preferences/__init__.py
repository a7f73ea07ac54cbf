"""Recipient preferences: which channel and language a recipient's messages use."""
