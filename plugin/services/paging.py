"""Pages of a long list: the one arithmetic of page numbers, shared by every paged page and API answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Window:
    """Where one page sits in a list of `total`: a page number past the end shows the last page."""

    page: int
    pages: int
    per_page: int
    total: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def window(total: int, page: int, per_page: int = PER_PAGE) -> Window:
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    pages = max(1, -(-total // per_page))
    return Window(min(max(1, page), pages), pages, per_page, total)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows and where it sits."""

    rows: list[T]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        """The position of the page's first row in the whole list (1-based; 0 when the list is empty)."""
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)
