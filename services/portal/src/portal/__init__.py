"""Samspill portal: the web pages through which people use Samspill, rendered on the server."""
