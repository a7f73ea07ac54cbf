"""Feed tokens: the secret part of a private feed's URL."""
