"""A club's application to a round: its sections (teams) with ranked halls and weekly times."""
