"""The staff pages' front door: the sites a person manages, the equipment centres they staff,
and for municipal admins the administration and usage pages."""
