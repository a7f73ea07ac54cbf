"""The municipal admin pages: sites, spaces and divisible halls, price rules and the public
price list, and staff grants."""
