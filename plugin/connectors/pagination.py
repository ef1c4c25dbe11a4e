"""Paging as shared iterators: a connector says how to fetch one page; these say when to stop.

Each iterator takes a `fetch` callable that returns a `Page` and yields items lazily, so a sync
holds one page in memory at a time. Vendors' totals are advisory (Workday's drifts between
calls), so every iterator also stops on an empty page, and the offset and page-number ones on a
short page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import requests


class Page(NamedTuple):
    """One page: its items, the cursor or URL of the next page (if any), and the vendor's total (if any)."""

    items: list
    next: Any = None
    total: int | None = None


def offset_pages(fetch: Callable[[int, int], Page], *, limit: int, start: int = 0) -> Iterator[Any]:
    """Yield items from `fetch(offset, limit)` until a short or empty page (limit/offset paging)."""
    offset = start
    while True:
        page = fetch(offset, limit)
        yield from page.items
        offset += len(page.items)
        if len(page.items) < limit:
            return


def numbered_pages(fetch: Callable[[int], Page], *, page_size: int, first: int = 1) -> Iterator[Any]:
    """Yield items from `fetch(page_number)`; stop at `Page.total` (a page count) or on a short page."""
    number = first
    while True:
        page = fetch(number)
        yield from page.items
        if len(page.items) < page_size or (page.total is not None and number >= page.total):
            return
        number += 1


def cursor_pages(fetch: Callable[[Any], Page], *, first: Any = None) -> Iterator[Any]:
    """Yield items from `fetch(cursor)` following `Page.next` (a cursor or a URL) until it is absent."""
    cursor = first
    while True:
        page = fetch(cursor)
        yield from page.items
        if not page.next or not page.items:
            return
        cursor = page.next


def link_next(response: requests.Response) -> str | None:
    """The `rel="next"` URL of an RFC 8288 `Link` header (Canvas style), treated as opaque."""
    return response.links.get("next", {}).get("url")
