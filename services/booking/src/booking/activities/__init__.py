"""Public activities: a club's weekly series shown in the public activity guide."""
