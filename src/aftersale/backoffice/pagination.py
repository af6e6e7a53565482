"""One page of a back-office list; a page number out of range shows the nearest page. Search
results count at most ``SEARCH_COUNT_LIMIT`` matches."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25
SEARCH_COUNT_LIMIT = 1000


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


def page_of(
    request,
    queryset,
    per_page: int = PAGE_SIZE,
    default_last: bool = False,
    count_limit: int | None = None,
    order_when_more=None,
) -> Page:
    if count_limit is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = CountLimitedPaginator(queryset, per_page, count_limit, order_when_more)
    number = request.GET.get("page") or (paginator.num_pages if default_last else 1)
    return paginator.get_page(number)
