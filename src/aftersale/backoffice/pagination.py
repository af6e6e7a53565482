"""One page of a back-office list; a page number out of range shows the nearest page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def page_of(request, queryset, per_page: int = PAGE_SIZE, default_last: bool = False) -> Page:
    paginator = Paginator(queryset, per_page)
    number = request.GET.get("page") or (paginator.num_pages if default_last else 1)
    return paginator.get_page(number)
