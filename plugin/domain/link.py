"""A link one person shares with another: https only, with a host, no credentials, no control characters."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LINK = 2000


def safe_link(text: str) -> str | None:
    """The link, trimmed, if it is a plain https address; None for anything else (javascript:, http:, data:...)."""
    link = (text or "").strip()
    if not link or len(link) > MAX_LINK or any(ord(c) < 33 or ord(c) == 127 for c in link):
        return None
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or parts.username or parts.password:
        return None
    if port is not None and not 0 < port < 65536:
        return None
    return link


def web_link(text: str) -> str:
    """A vendor's link to one of its pages (http or https: an LMS on an intranet may have no TLS), else ""."""
    link = (text or "").strip()
    if len(link) > MAX_LINK or any(ord(c) < 33 or ord(c) == 127 for c in link):
        return ""
    try:
        parts = urlsplit(link)
    except ValueError:
        return ""
    return link if parts.scheme.lower() in ("http", "https") and parts.hostname else ""
