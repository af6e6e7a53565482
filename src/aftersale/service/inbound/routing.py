"""Which shop a recipient address belongs to.

A shop receives support mail at:

- its **contact e-mail** (Settings → Shop), when the shop's own mailbox forwards to us or its
  domain's mail is delivered here; a "+" tag on it is kept (``tuki+TOKEN@kauppa.fi``);
- ``support+<shop slug>@…``: the installation's support address (``SUPPORT_REPLY_ADDRESS``)
  with the shop's slug as "+" tag; with one shop only, the bare support address too;
- ``support+<conversation token>@…``: the reply address of a ticket
  (``mail_identity.reply_to_address``). The token names its shop and is signed; an address
  whose token does not verify names no shop.

``route`` answers None for every other address (the receiver refuses it with 550). It never
writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersale.core.models import Shop
from aftersale.service import mail_identity


@dataclass(frozen=True)
class Route:
    shop: Shop
    address: str  # the recipient as given, lower case
    tag: str  # what followed "+" in the local part ("" if nothing)


def split(address: str) -> tuple[str, str, str]:
    """``(local part without tag, tag, domain)``, lower case."""
    address = (address or "").strip().strip("<>").lower()
    local, _at, domain = address.rpartition("@")
    base, _plus, tag = local.partition("+")
    return base, tag, domain


def _by_contact_email(base: str, domain: str) -> Shop | None:
    shops = list(Shop.objects.filter(contact_email__iexact=f"{base}@{domain}")[:2])
    return shops[0] if len(shops) == 1 else None  # two shops with one address: neither


def _by_token(tag: str) -> Shop | None:
    match = mail_identity.TOKEN.match(tag)
    if match is None:
        return None
    try:
        shop_id = int(match.group(1), 36)
    except ValueError:
        return None
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None or mail_identity.ticket_for_token(shop, tag) is None:
        return None
    return shop


def _by_support_address(tag: str) -> Shop | None:
    if not tag:
        shops = list(Shop.objects.all()[:2])
        return shops[0] if len(shops) == 1 else None
    return Shop.objects.filter(slug=tag).first() or _by_token(tag)


def route(address: str) -> Route | None:
    """The shop ``address`` reaches, or None."""
    base, tag, domain = split(address)
    if not base or not domain:
        return None
    clean = f"{base}+{tag}@{domain}" if tag else f"{base}@{domain}"
    shop = _by_contact_email(base, domain)
    if shop is None:
        support_base, _support_tag, support_domain = split(mail_identity.support_address())
        if (base, domain) == (support_base, support_domain):
            shop = _by_support_address(tag)
    return Route(shop=shop, address=clean, tag=tag) if shop is not None else None


def is_ours(address: str) -> bool:
    """Whether ``address`` is one we receive at (mail from it would be a loop)."""
    base, _tag, domain = split(address)
    support_base, _support_tag, support_domain = split(mail_identity.support_address())
    if (base, domain) == (support_base, support_domain):
        return True
    return bool(base) and Shop.objects.filter(contact_email__iexact=f"{base}@{domain}").exists()


def routes_for(addresses) -> list[Route]:
    """One route per shop among ``addresses``, the first that names a shop (a token address
    before the shop's plain one, so that a reply threads by its token)."""
    found: dict[int, Route] = {}
    for address in addresses:
        if not address:
            continue
        found_route = route(address)
        if found_route is None:
            continue
        current = found.get(found_route.shop.pk)
        if current is None or (not current.tag and found_route.tag):
            found[found_route.shop.pk] = found_route
    return list(found.values())
