"""My page: the person's profile, language, channel for messages, calendar links and data."""
