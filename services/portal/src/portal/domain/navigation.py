"""Where the portal may send a visitor after a login, a logout or a language switch."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site, else `default`: never an open redirect.

    Refused: absolute URLs, scheme-relative `//host` (and the `/\\host` browsers read alike),
    control characters, and anything that is not a path.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
