"""The shop's customers: a searchable list and each customer's facts and timeline."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.forms import CustomerSearchForm, valid_filters
from aftersale.backoffice.pagination import page_of
from aftersale.backoffice.timeline import describe_events
from aftersale.backoffice.views.privacy import customer_page_privacy
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.delivery.selectors import FLAG_THRESHOLD, recent_unclaimed
from aftersale.insights.selectors import customer_value
from aftersale.loyalty.referral_models import Referral
from aftersale.loyalty.reward_models import Redemption
from aftersale.orders.models import Customer, Order, Refund
from aftersale.orders.selectors import (
    MANY_CUSTOMERS,
    NAME_ORDER,
    needs_longer_words,
    search_customers,
)
from aftersale.timeline.models import Event

TIMELINE_PAGE_SIZE = 100
LOYALTY_PAGE_SIZE = 10
# Up to this many matches a search sorts them by name after the index found them; beyond, the
# word is common enough (5 % of 200,000 customers) that reading the name index fills a page.
CUSTOMER_COUNT_LIMIT = MANY_CUSTOMERS


@shop_required
def customer_list(request):
    form = CustomerSearchForm(request.GET or None)
    query = valid_filters(form).get("q", "")
    customers = search_customers(request.shop, query)
    page = page_of(
        request,
        customers,
        count_limit=CUSTOMER_COUNT_LIMIT if query else None,
        order_when_more=NAME_ORDER,
    )
    page.object_list = with_order_stats(request.shop, list(page.object_list))
    return render(
        request,
        "backoffice/customer_list.html",
        {"form": form, "query": query, "page": page, "too_short": needs_longer_words(query)},
    )


def with_order_stats(shop, customers: list[Customer]) -> list[Customer]:
    """Add ``order_count`` and ``last_order_at`` to one page of customers, in one query.

    Counting for the page only (not with a GROUP BY over every customer before the page is cut)
    keeps the list fast for shops with hundreds of thousands of customers.
    """
    stats = {
        row["customer_id"]: row
        for row in Order.objects.for_shop(shop)
        .filter(customer_id__in=[customer.pk for customer in customers])
        .values("customer_id")
        .annotate(order_count=Count("id"), last_order_at=Max("placed_at"))
        .order_by()
    }
    for customer in customers:
        row = stats.get(customer.pk, {})
        customer.order_count = row.get("order_count", 0)
        customer.last_order_at = row.get("last_order_at")
    return customers


@shop_required
def customer_detail(request, customer_id: int):
    shop = request.shop
    customer = get_for_shop_or_404(Customer.objects, shop, pk=customer_id)
    orders = Order.objects.for_shop(shop).filter(customer=customer)
    totals = orders.aggregate(
        order_count=Count("id"),
        gross_cents=Coalesce(
            Sum(
                "total_cents",
                filter=Q(currency=shop.currency) & ~Q(status=Order.Status.CANCELLED),
            ),
            0,
        ),
    )
    refunds = Refund.objects.for_shop(shop).filter(order__customer=customer, currency=shop.currency)
    totals.update(refunds.aggregate(refund_cents=Coalesce(Sum("amount_cents"), 0)))
    events = Event.objects.for_shop(shop).for_customer(customer).order_by("occurred_at", "id")
    timeline_page = page_of(request, events, TIMELINE_PAGE_SIZE, default_last=True)
    # The customer's reward codes and referrals, each paged on its own (``?codes=``,
    # ``?referrals=``); one customer's lists are short, so they are counted whole.
    codes_page = Paginator(
        Redemption.objects.for_shop(shop)
        .filter(customer=customer)
        .select_related("reward")
        .order_by("-created_at", "-id"),
        LOYALTY_PAGE_SIZE,
    ).get_page(request.GET.get("codes"))
    referrals_page = Paginator(
        Referral.objects.for_shop(shop)
        .filter(Q(advocate=customer) | Q(friend=customer))
        .select_related("advocate", "friend")
        .order_by("-created_at", "-id"),
        LOYALTY_PAGE_SIZE,
    ).get_page(request.GET.get("referrals"))
    return render(
        request,
        "backoffice/customer_detail.html",
        {
            "customer": customer,
            "totals": totals,
            "recent_orders": orders.order_by("-placed_at", "-id")[:10],
            "customer_value": customer_value(shop, customer),
            "recent_unclaimed": recent_unclaimed(shop, customer, timezone.now()),
            "flag_threshold": FLAG_THRESHOLD,
            "page": timeline_page,
            "timeline": describe_events(shop, timeline_page.object_list),
            "codes_page": codes_page,
            "referrals_page": referrals_page,
            **customer_page_privacy(request, customer),
        },
    )
