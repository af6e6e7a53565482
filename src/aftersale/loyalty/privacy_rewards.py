"""What rewards and referrals hold about a customer (see aftersale/privacy/registry.py).

Imported by loyalty/privacy.py. A referral is about two people: the advocate (``Referral``) and
the friend (``FriendReferral``, the same rows); each one's erasure removes or blanks their side.
Friends' e-mails, IPs, addresses, phones and payment methods are only ever kept as keyed
hashes.
"""

from django.utils.translation import gettext_lazy as _

from aftersale.loyalty.referral_models import (
    FriendReferral,
    PaymentFingerprint,
    Referral,
    ReferralCode,
)
from aftersale.loyalty.reward_models import ExpiryNotice, Redemption, Reward
from aftersale.privacy.registry import anonymise, declare, declare_no_customer_data, delete

declare(
    Redemption,
    customer="customer",
    why=_(
        "Rewards the customer took for their points: the code, the points, whether it was used. "
        "Kept for the points liability; the reasons staff wrote (for giving it without points, "
        "for cancelling it) are blanked."
    ),
    export=(
        "id",
        "reward_id",
        "code",
        "points",
        "state",
        "channel",
        "settled_order_id",
        "settled_at",
        "cancelled_at",
        "cancel_reason",
        "reason",
        "created_at",
    ),
    erase=anonymise(cancel_reason="", reason=""),
)
declare(
    ExpiryNotice,
    customer="customer",
    why=_("When the customer was told that their points would expire."),
    erase=delete(),
)
declare(
    ReferralCode,
    customer="customer",
    why=_("The customer's own referral code and link."),
    erase=delete(),
)
declare(
    Referral,
    customer="advocate",
    why=_(
        "Friends who used the customer's referral link, kept as hashes, and the reasons a "
        "referral waited for review."
    ),
    export=("id", "code", "state", "reasons", "friend_id", "created_at", "rewarded_at"),
    erase=delete(),
)
declare(
    FriendReferral,
    customer="friend",
    why=_(
        "The referral the customer came through: hashes of their e-mail, network address and "
        "delivery address, compared with the advocate's to stop self-referrals."
    ),
    export=("id", "code", "state", "created_at"),
    erase=anonymise(
        friend_email_digest=lambda referral: f"erased-{referral.pk}",
        ip_digest="",
        address_digest="",
    ),
)
declare(
    PaymentFingerprint,
    customer="customer",
    why=_("Hashes of the payment methods the customer used, for the referral fraud rules."),
    export=("digest", "first_seen_at"),
    erase=delete(),
)

declare_no_customer_data(Reward, _("The shop's rewards catalogue: names, costs and terms."))
