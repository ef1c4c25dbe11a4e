"""Paging stops where the data stops, whatever the vendor's total says."""

from __future__ import annotations

from plugin.connectors.pagination import Page, cursor_pages, numbered_pages, offset_pages


def test_offset_paging_stops_on_a_short_page_even_when_total_says_more():
    calls = []

    def fetch(offset, limit):
        calls.append(offset)
        data = list(range(250))[offset : offset + limit]
        return Page(data, total=303)  # Workday's total drifted

    assert list(offset_pages(fetch, limit=100)) == list(range(250))
    assert calls == [0, 100, 200]


def test_offset_paging_stops_on_an_empty_page_when_total_is_too_high():
    pages = iter([Page([1, 2], total=10), Page([], total=10)])
    assert list(offset_pages(lambda o, n: next(pages), limit=2)) == [1, 2]


def test_numbered_pages_stop_at_the_page_count():
    calls = []

    def fetch(number):
        calls.append(number)
        return Page([number] * 2, total=3)

    assert list(numbered_pages(fetch, page_size=2)) == [1, 1, 2, 2, 3, 3]
    assert calls == [1, 2, 3]


def test_cursor_pages_follow_next_until_absent():
    pages = {None: Page(["a"], next="c1"), "c1": Page(["b"], next="c2"), "c2": Page(["c"], next=None)}
    assert list(cursor_pages(pages.__getitem__)) == ["a", "b", "c"]
