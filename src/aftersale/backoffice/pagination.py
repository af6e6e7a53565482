"""One page of a back-office list; a page number out of range shows the nearest page.

No list counts a shop's whole history per request: a list counts at most ``COUNT_WINDOW``
rows past the start of the page asked for (and says "Page 3 of more than 400" when there are
more), and search results count at most ``SEARCH_COUNT_LIMIT`` matches.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25
SEARCH_COUNT_LIMIT = 1000
# Rows counted past the start of the page asked for: 400 pages of 25 ahead, read from an index
# in a few milliseconds even when the shop has half a million orders.
COUNT_WINDOW = 10_000


class CountLimitedPaginator(Paginator):
    """Counts at most ``count_limit`` rows: a search that matches a large part of a shop's
    history stops counting there (``more`` is then True) instead of counting every match.

    ``order_when_more`` is the order of an index to read such a page in: when most rows match,
    reading an index in order fills a page at once, where sorting every match would not.
    """

    def __init__(self, object_list, per_page, count_limit: int, order_when_more=None):
        super().__init__(object_list, per_page)
        self.count_limit = count_limit
        self.order_when_more = order_when_more

    @cached_property
    def counted(self) -> int:
        counted = self.object_list.order_by()[: self.count_limit + 1].count()
        if counted > self.count_limit and self.order_when_more:
            self.object_list = self.object_list.order_by(*self.order_when_more)
        return counted

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.count_limit)

    @property
    def more(self) -> bool:
        return self.counted > self.count_limit


class WindowPaginator(CountLimitedPaginator):
    """Counts the rows up to ``window`` past the start of the page asked for: every page stays
    reachable with "Next", and page 1 of a long history costs what page 1 of a short one does."""

    def __init__(self, object_list, per_page, number, window: int):
        try:
            start = (max(int(number), 1) - 1) * per_page
        except (TypeError, ValueError):
            start = 0
        super().__init__(object_list, per_page, start + window)


def page_of(
    request,
    queryset,
    per_page: int = PAGE_SIZE,
    default_last: bool = False,
    count_limit: int | None = None,
    order_when_more=None,
) -> Page:
    number = request.GET.get("page")
    if default_last:
        # A short list read from its end (one customer's timeline): counted whole.
        paginator = Paginator(queryset, per_page)
        return paginator.get_page(number or paginator.num_pages)
    if not hasattr(queryset, "order_by"):
        paginator = Paginator(queryset, per_page)  # a list in memory: its length is known
    elif count_limit is None:
        paginator = WindowPaginator(queryset, per_page, number or 1, COUNT_WINDOW)
    else:
        paginator = CountLimitedPaginator(queryset, per_page, count_limit, order_when_more)
    return paginator.get_page(number or 1)
