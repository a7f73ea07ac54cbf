"""People: a person's own profile, and what they may do (memberships and the staff grants
facilities publishes), as the caller's grants and `/me`."""
