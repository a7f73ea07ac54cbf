"""Clubs: my organisations, registering one, its page (members, invitations, the private
calendar link) and accepting an invitation."""
