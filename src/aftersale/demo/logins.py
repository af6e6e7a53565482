"""The demo logins printed by ``aftersale run`` and created by ``aftersale demo``."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

DEMO_SHOP_SLUGS = ("pohjola-style", "saaristo-tech")

# (username, role, shop slug): the demo shop's owner and staff member, and an agency that owns
# a second, smaller shop and is also staff in the first, so the shop switcher can be tried.
DEMO_USERS = [
    ("owner", "owner", "pohjola-style"),
    ("staff", "staff", "pohjola-style"),
    ("agency", "owner", "saaristo-tech"),
    ("agency", "staff", "pohjola-style"),
]
# A Django superuser for /admin/, with the same password.
DEMO_SUPERUSER = "admin"


def demo_logins() -> list[str]:
    """One line per demo user that exists: username / password (roles)."""
    from django.contrib.auth import get_user_model

    usernames = list(dict.fromkeys([u for u, _, _ in DEMO_USERS] + [DEMO_SUPERUSER]))
    present = set(
        get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    lines = []
    for username in usernames:
        if username not in present:
            continue
        if username == DEMO_SUPERUSER:
            roles = "Django admin, superuser"
        else:
            roles = ", ".join(f"{role} of {slug}" for u, role, slug in DEMO_USERS if u == username)
        lines.append(f"{username} / {settings.DEMO_PASSWORD}  ({roles})")
    return lines


def existing_demo_shops() -> list[str]:
    from aftersale.core.models import Shop

    return list(Shop.objects.filter(slug__in=DEMO_SHOP_SLUGS).values_list("slug", flat=True))


@transaction.atomic
def create_demo_users(shops: dict, password: str) -> None:
    """The demo users and their memberships; existing users get the demo password again."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from aftersale.core.services import add_member

    User = get_user_model()
    hashed = make_password(password)  # one hash for all: the demo users share a password
    for username in dict.fromkeys([u for u, _, _ in DEMO_USERS] + [DEMO_SUPERUSER]):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@aftersale.example"}
        )
        user.password = hashed
        user.is_active = True
        if username == DEMO_SUPERUSER:
            user.is_staff = user.is_superuser = True
        user.save()
        for name, role, slug in DEMO_USERS:
            if name == username and slug in shops:
                add_member(shops[slug], user, role)


@transaction.atomic
def delete_demo_shops() -> None:
    """Delete the demo shops and everything in them, and nothing else.

    The big tables are emptied first with one DELETE each where no other table points at
    them any more; anything else (including other apps' rows about demo customers and orders)
    goes with the shops through Django's usual cascade.
    """
    from django.db import connection

    from aftersale.catalog.models import Product, ProductRelation, Variant
    from aftersale.core.models import Shop
    from aftersale.delivery.models import PickupPoint, Shipment, TrackingEvent
    from aftersale.orders.models import Customer, Order, OrderLine, Payment, Refund
    from aftersale.returns.models import ReturnLine, ReturnRequest
    from aftersale.timeline.models import Event

    shops = list(Shop.objects.filter(slug__in=DEMO_SHOP_SLUGS))
    if not shops:
        return
    ids = [shop.pk for shop in shops]
    emptied: set = set()
    for model in (
        Event,
        TrackingEvent,
        ReturnLine,
        Refund,
        ReturnRequest,
        Payment,
        OrderLine,
        Shipment,
        Order,
        Customer,
        ProductRelation,
        Variant,
        Product,
        PickupPoint,
    ):
        pointing = {rel.related_model for rel in model._meta.related_objects}
        if pointing <= emptied:
            table = connection.ops.quote_name(model._meta.db_table)
            marks = ", ".join(["%s"] * len(ids))
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE shop_id IN ({marks})", ids)
        else:
            model.objects.filter(shop__in=ids).delete()
        emptied.add(model)
    for shop in shops:
        shop.delete()
