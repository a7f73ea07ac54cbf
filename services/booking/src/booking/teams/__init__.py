"""A club's teams (sub-units with their own contact person) and the series handed to them."""
