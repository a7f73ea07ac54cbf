"""Staff grants: who manages a site and who staffs an equipment centre, granted and revoked by
the municipality's administrators; each change announces the person's whole current grants."""
