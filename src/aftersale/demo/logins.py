"""The demo logins printed by ``aftersale run`` and created by ``aftersale demo``."""

from __future__ import annotations

from django.conf import settings

# (username, role, shop slug): the demo shop's owner and staff member, and the owner of a
# second, smaller shop who is also staff in the first, so the shop switcher can be tried.
DEMO_USERS = [
    ("owner", "owner", "pohjola-style"),
    ("staff", "staff", "pohjola-style"),
    ("agency", "owner", "saaristo-tech"),
]


def demo_logins() -> list[str]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=[u for u, _, _ in DEMO_USERS])
    present = set(users.values_list("username", flat=True))
    return [
        f"{username} / {settings.DEMO_PASSWORD}  ({role} of {slug})"
        for username, role, slug in DEMO_USERS
        if username in present
    ]
