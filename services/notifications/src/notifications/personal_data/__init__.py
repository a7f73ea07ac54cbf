"""A person's data in notifications: their export (`/me/data`, staff's `/people/{id}/data`)
and the erasure `PersonErased` asks for, confirmed to them by one message."""
