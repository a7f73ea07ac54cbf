"""A person's data in booking: the export, erasure, the retention jobs and the access log of
staff views."""
