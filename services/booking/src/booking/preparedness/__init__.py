"""Organisations' emergency preparedness (volunteers, equipment, vehicles, a 24/7 contact,
agreements) and the emergency staff's overview by district."""
