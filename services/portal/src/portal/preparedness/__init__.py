"""The emergency staff's `/beredskap` and a club's preparedness form `/lag/{id}/beredskap`."""
