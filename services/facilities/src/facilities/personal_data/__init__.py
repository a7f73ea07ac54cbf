"""A person's data in facilities (their staff grants): their export and their erasure."""
