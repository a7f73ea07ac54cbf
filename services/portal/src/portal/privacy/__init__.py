"""Privacy: a person's data from every service as one file, erasing a person, and for the
municipality's admins the access log and written requests for data or erasure."""
