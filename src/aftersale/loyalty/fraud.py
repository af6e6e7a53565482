"""Signs that a referral is not a friend's: the rules, each a plain function.

A referral is compared with its advocate by *digests*: keyed hashes (HMAC with the
installation's SECRET_KEY, per shop) of normalised values. The referral rows keep only those
digests, never the friend's address, phone, payment fingerprint or IP in clear.

=====================  ==================================================================
reason                 when
=====================  ==================================================================
``self_referral``      the friend is the advocate: the same customer, or the same e-mail
``same_email``         the e-mails differ only by letter case, dots or a +tag (Gmail)
``same_address``       the friend's delivery address is one the advocate has used
``same_phone``         the friend's phone is one the advocate has used
``same_payment``       the friend paid with a payment method the advocate has used
``busy_address``       ``WEEKLY_LIMIT`` or more referrals in 7 days to one delivery address
``busy_ip``            ``WEEKLY_LIMIT`` or more referrals claimed from one IP in 7 days
``not_first_order``    the friend had ordered from the shop before
=====================  ==================================================================

A referral with any reason waits for staff review; the reasons are shown to them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

SELF_REFERRAL = "self_referral"
SAME_EMAIL = "same_email"
SAME_ADDRESS = "same_address"
SAME_PHONE = "same_phone"
SAME_PAYMENT = "same_payment"
BUSY_ADDRESS = "busy_address"
BUSY_IP = "busy_ip"
NOT_FIRST_ORDER = "not_first_order"

REASONS = {
    SELF_REFERRAL: _("The friend is the advocate (the same customer or e-mail)."),
    SAME_EMAIL: _("The friend's e-mail is the advocate's with dots or a +tag added."),
    SAME_ADDRESS: _("The friend's delivery address is one the advocate has used."),
    SAME_PHONE: _("The friend's phone number is one the advocate has used."),
    SAME_PAYMENT: _("The friend paid with a payment method the advocate has used."),
    BUSY_ADDRESS: _("Many referred orders went to this delivery address this week."),
    BUSY_IP: _("Many referrals were claimed from this network address this week."),
    NOT_FIRST_ORDER: _("The friend had ordered from the shop before."),
}

WEEK = timedelta(days=7)
# Referrals from one IP, or to one delivery address, in 7 days before the next one is held
# for review (ReferralCandy flags more than 3 purchases from one IP; Smile blocks 10).
WEEKLY_LIMIT = 3

# Mail domains that ignore dots in the local part.
DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


def reason_text(reason: str) -> str:
    return str(REASONS.get(reason, reason))


def normalise_email(email: str) -> str:
    """The mailbox an address reaches: lower case, without a +tag, and for Gmail without dots
    (``A.Virtanen+shop@Gmail.com`` → ``avirtanen@gmail.com``)."""
    email = (email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    local = local.split("+", 1)[0]
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def normalise_phone(phone: str, country_code: str = "358") -> str:
    """Digits only, a national number written with the country code (``040 123 4567`` →
    ``358401234567``)."""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0") and not (phone or "").strip().startswith("+"):
        digits = country_code + digits[1:]
    return digits


def normalise_address(street: str, postcode: str, country: str = "FI") -> str:
    """One string per delivery address whatever its spelling: letters and digits only, lower
    case, without accents (``Mannerheimintie 5 A 3`` = ``mannerheimintie 5a3``)."""
    if not (street or "").strip():
        return ""
    text = unicodedata.normalize("NFKD", f"{street} {postcode} {country}".lower())
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def digest(shop_id: int, kind: str, value: str) -> str:
    """A keyed hash of an already normalised ``value``; "" for an empty value."""
    if not value:
        return ""
    return salted_hmac(
        "aftersale.loyalty.referral", f"{shop_id}:{kind}:{value}", algorithm="sha256"
    ).hexdigest()


def email_digest(shop_id: int, email: str) -> str:
    return digest(shop_id, "email", normalise_email(email))


def phone_digest(shop_id: int, phone: str) -> str:
    return digest(shop_id, "phone", normalise_phone(phone))


def address_digest(shop_id: int, street: str, postcode: str, country: str = "FI") -> str:
    return digest(shop_id, "address", normalise_address(street, postcode, country))


def ip_digest(shop_id: int, ip: str) -> str:
    return digest(shop_id, "ip", (ip or "").strip())


def email_reasons(
    friend_email: str, advocate_email: str, *, same_customer: bool = False
) -> list[str]:
    """``self_referral`` or ``same_email`` for the friend's e-mail against the advocate's."""
    friend = (friend_email or "").strip().lower()
    advocate = (advocate_email or "").strip().lower()
    if same_customer or (friend and friend == advocate):
        return [SELF_REFERRAL]
    if friend and normalise_email(friend) == normalise_email(advocate):
        return [SAME_EMAIL]
    return []


def matching_reasons(friend: dict[str, str], advocate: dict[str, set[str]]) -> list[str]:
    """The reasons among address, phone and payment: ``friend`` maps each kind to the friend's
    digest, ``advocate`` each kind to the set of digests the advocate has used."""
    rules = (("address", SAME_ADDRESS), ("phone", SAME_PHONE), ("payment", SAME_PAYMENT))
    return [
        reason
        for kind, reason in rules
        if friend.get(kind) and friend[kind] in advocate.get(kind, set())
    ]


def busy(count_this_week: int) -> bool:
    """Whether ``count_this_week`` earlier referrals (from one IP, to one address) are many."""
    return count_this_week >= WEEKLY_LIMIT
