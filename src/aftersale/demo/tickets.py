"""A handful of recent support tickets for a demo shop, as customers write them: a parcel that
has not arrived, a wrong size, a question before buying. Some are answered (the answers are
recorded, never e-mailed), one is solved, the rest wait in the inbox."""

from __future__ import annotations

import random

from aftersale.orders.models import Order
from aftersale.service import services

TICKETS = [
    (
        "delivery",
        "Missä pakettini on?",
        "Hei, tilasin viime viikolla, mutta paketti ei ole vielä tullut. Voitteko tarkistaa?",
        "Hei! Paketti on matkalla ja perillä huomenna. Seurantalinkki on tilausvahvistuksessa.",
    ),
    (
        "return",
        "Väärä koko",
        "Kengät ovat numeroa liian pienet. Voinko vaihtaa ne isompiin?",
        None,
    ),
    (
        "order",
        "Ändra leveransadress",
        "Hej, kan jag ändra leveransadressen på min beställning? Jag har flyttat.",
        "Hej! Vi har ändrat adressen, paketet går till den nya adressen.",
    ),
    (
        "product",
        "Is the jacket waterproof?",
        "Hi, is the winter jacket waterproof or only water-repellent? I walk to work in the rain.",
        None,
    ),
    (
        "other",
        "Lahjakortti",
        "Myyttekö lahjakortteja? Haluaisin antaa sellaisen joululahjaksi.",
        None,
    ),
]


def create_demo_tickets(shop, seed: int) -> int:
    """Open the demo tickets for recent customers of ``shop`` (the same ones for a seed)."""
    rng = random.Random(seed)
    recent = list(
        Order.objects.for_shop(shop).select_related("customer").order_by("-placed_at")[:60]
    )
    if not recent:
        return 0
    staff = shop.memberships.order_by("id").first()
    opened = 0
    for index, (topic, subject, body, answer) in enumerate(TICKETS):
        order = rng.choice(recent)
        ticket = services.open_ticket(
            shop,
            email=order.customer.email,
            name=order.customer.full_name,
            subject=subject,
            body=body,
            topic=topic,
            source="email" if index % 2 else "portal",
            customer=order.customer,
            order=order if topic in ("delivery", "order", "return") else None,
        )
        if answer and staff is not None:
            then = "solved" if index == 2 else "waiting"
            services.reply(ticket, author=staff.user, body=answer, then=then, email=False)
        opened += 1
    return opened
