"""Who may see which orders in a shop's portal: lookup, magic links, the portal session.

A customer proves access by knowing an order's number and its e-mail (that order only), or
by opening a link sent to the e-mail (every order of that address in the shop). The grant
lives in the session, scoped to one shop, for ``PORTAL_SESSION_HOURS``.

Against enumeration: e-mails are compared as SHA-256 digests with ``hmac.compare_digest``,
the lookup does the same work whether or not the order exists, the magic-link answer is the
same for every address (the mail itself goes out from the task queue), and attempts are
limited in counters every web process shares (``aftersale.core.limits``).

Lockouts never lock out the real customer (docs/operators/security.md):

* failed lookups count per client address (``FAILURES_PER_ADDRESS``) and per order number
  (``FAILURES_PER_ORDER``); a locked order number is refused only to addresses that have
  themselves failed on it, so the right e-mail and number from the customer's own address
  still open the order while someone elsewhere guesses at it;
* successful lookups count nothing, and nothing counts per e-mail address for lookups;
* sign-in links are limited per address and per e-mail (``LINKS_PER_EMAIL``: no mail bombing),
  and a link that was sent opens the orders whatever the lookup counters say.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.core import signing
from django.db.models import QuerySet

from aftersale.core import limits
from aftersale.core.models import Shop
from aftersale.orders.models import Customer, Order

SESSION_KEY = "aftersale_portal"
PORTAL_SESSION_HOURS = 12
MAGIC_LINK_MINUTES = 30

# Attempts per window before the portal asks the customer to wait.
RATE_WINDOW_SECONDS = 15 * 60
FAILURES_PER_ADDRESS = 20
FAILURES_PER_ORDER = 5
LINKS_PER_ADDRESS = 20
LINKS_PER_EMAIL = 5


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def same_email(stored: str, given: str) -> bool:
    """Constant-time comparison of two e-mail addresses, ignoring case and spaces."""
    return hmac.compare_digest(_digest(normalise_email(stored)), _digest(normalise_email(given)))


# --- Rate limiting ----------------------------------------------------------------------


def _order_key(shop: Shop, number: str) -> str:
    number = (number or "").strip().lstrip("#").lower()
    return hashlib.sha256(f"{shop.pk}:{number}".encode()).hexdigest()


def _lookup_keys(request, shop: Shop, number: str) -> tuple[str, str, str]:
    address = limits.client_address(request)
    order = _order_key(shop, number)
    return (
        f"portal-fail:addr:{address}",
        f"portal-fail:order:{order}",
        f"portal-fail:addr-order:{address}:{order}",
    )


def start_lookup(request, shop: Shop, number: str) -> bool:
    """Count this lookup as a failure until ``lookup_found`` takes it back (counting first
    keeps concurrent requests from all passing one check). False when it is refused: this
    address failed too often, or the order number is locked and this address is one of those
    that failed on it."""
    by_address, by_order, by_address_and_order = _lookup_keys(request, shop, number)
    address_failures = limits.count(by_address, RATE_WINDOW_SECONDS)
    order_failures = limits.count(by_order, RATE_WINDOW_SECONDS)
    failed_here_before = limits.count(by_address_and_order, RATE_WINDOW_SECONDS) > 1
    return address_failures <= FAILURES_PER_ADDRESS and not (
        order_failures > FAILURES_PER_ORDER and failed_here_before
    )


def lookup_found(request, shop: Shop, number: str) -> None:
    """The lookup found the order: it counts as no failure."""
    for key in _lookup_keys(request, shop, number):
        limits.uncount(key)


def allow_link_request(request, shop: Shop, email: str) -> bool:
    """Count a request for a sign-in link; False when this address or this e-mail asked too
    often (a link already sent keeps working)."""
    email_key = hashlib.sha256(f"{shop.pk}:{normalise_email(email)}".encode()).hexdigest()
    address = limits.client_address(request)
    address_ok = limits.count(f"portal-link:addr:{address}", RATE_WINDOW_SECONDS) <= (
        LINKS_PER_ADDRESS
    )
    email_ok = limits.count(f"portal-link:email:{email_key}", RATE_WINDOW_SECONDS) <= (
        LINKS_PER_EMAIL
    )
    return address_ok and email_ok


# --- Finding an order -------------------------------------------------------------------


def find_order(shop: Shop, number: str, email: str) -> Order | None:
    """The shop's order with this number whose customer has this e-mail, else None.

    Every candidate with the number is compared, and a dummy address when there is none, so
    the answer takes the same work whether the number exists or not.
    """
    number = (number or "").strip().lstrip("#")
    candidates = list(
        Order.objects.for_shop(shop).filter(number=number).select_related("customer")[:5]
    )
    found = None
    for order in candidates or [None]:
        stored = order.customer.email if order else "no-such-order@invalid"
        if same_email(stored, email) and order is not None and stored:
            found = order
    return found


def customers_with_email(shop: Shop, email: str) -> list[Customer]:
    wanted = normalise_email(email)
    if not wanted:
        return []
    return [
        customer
        for customer in Customer.objects.for_shop(shop).filter(email__iexact=wanted)
        if same_email(customer.email, wanted)
    ]


# --- Magic links ------------------------------------------------------------------------


def _signer(shop: Shop) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"aftersale.portal.magic-link:{shop.pk}")


def magic_token(shop: Shop, email: str) -> str:
    return _signer(shop).sign_object({"email": normalise_email(email)}, compress=True)


def email_from_token(shop: Shop, token: str) -> str | None:
    """The address a valid, unexpired link of this shop was sent to, else None."""
    try:
        data = _signer(shop).unsign_object(token, max_age=MAGIC_LINK_MINUTES * 60)
    except (signing.BadSignature, ValueError):
        return None
    return data.get("email") if isinstance(data, dict) else None


# --- The portal session -----------------------------------------------------------------


def grant(request, shop: Shop, *, customers: list[Customer], order: Order | None = None) -> None:
    """Let this browser see ``order`` (lookup) or every order of ``customers`` (magic link)."""
    request.session.cycle_key()  # a new session id: no fixation across the login
    grants = request.session.get(SESSION_KEY, {})
    grants[str(shop.pk)] = {
        "customers": [customer.pk for customer in customers],
        "orders": [order.pk] if order is not None else None,
        "expires": time.time() + PORTAL_SESSION_HOURS * 3600,
    }
    request.session[SESSION_KEY] = grants


def revoke(request, shop: Shop) -> None:
    grants = request.session.get(SESSION_KEY, {})
    grants.pop(str(shop.pk), None)
    request.session[SESSION_KEY] = grants


def _grant_for(request, shop: Shop) -> dict | None:
    entry = request.session.get(SESSION_KEY, {}).get(str(shop.pk))
    if not entry or entry.get("expires", 0) < time.time():
        return None
    return entry


def has_access(request, shop: Shop) -> bool:
    return _grant_for(request, shop) is not None


def signed_in_customers(request, shop: Shop) -> list[Customer]:
    """The customers whose orders this browser may see in ``shop`` (none without a grant)."""
    entry = _grant_for(request, shop)
    if entry is None:
        return []
    return list(Customer.objects.for_shop(shop).filter(pk__in=entry["customers"]))


def visible_orders(request, shop: Shop) -> QuerySet[Order]:
    """The orders of ``shop`` this browser has proved access to (none without a grant)."""
    entry = _grant_for(request, shop)
    if entry is None:
        return Order.objects.none()
    orders = Order.objects.for_shop(shop).filter(customer_id__in=entry["customers"])
    if entry["orders"] is not None:
        orders = orders.filter(pk__in=entry["orders"])
    return orders
