"""Paged pages: the one reading of the `page` query argument (the navigation is templates/_pages.html)."""

from __future__ import annotations

from flask import request


def page_number() -> int:
    """The `page` query argument: 1 when absent or not a small whole number (the service clamps the rest)."""
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and len(text) < 7 else 1
