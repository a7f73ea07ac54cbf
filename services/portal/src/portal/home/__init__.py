"""The front page, from which every journey starts, and the language switch."""
