"""The portal's pure rules: what a page shows, decided without HTTP, templates or Redis."""
