"""Organisation memberships and invitations: who may book, administer or view in an
organisation's name."""
