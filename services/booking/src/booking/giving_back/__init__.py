"""Giving booked time back: the freed time, its offers held one club at a time, and passing on."""
