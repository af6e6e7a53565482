"""How the timeline reads the rewards' and referrals' events (imported by timeline.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.backoffice.timeline import describe_type
from aftersale.timeline import types
from aftersale.timeline.models import Event


def _code(text) -> object:
    def describe(event: Event) -> str:
        code = (event.payload or {}).get("code")
        return f"{text}: {code}" if code else str(text)

    return describe


def _expiring(event: Event) -> str:
    payload = event.payload or {}
    return _("Told that %(points)s points expire on %(date)s") % {
        "points": payload.get("points", "?"),
        "date": payload.get("expires_on", "?"),
    }


describe_type(
    types.LOYALTY_REWARD_REDEEMED,
    _code(gettext_lazy("Reward redeemed")),
    label=gettext_lazy("Reward redeemed"),
)
describe_type(
    types.LOYALTY_REWARD_USED,
    _code(gettext_lazy("Reward code used in an order")),
    label=gettext_lazy("Reward code used in an order"),
)
describe_type(
    types.LOYALTY_REWARD_CANCELLED,
    _code(gettext_lazy("Reward cancelled, points returned")),
    label=gettext_lazy("Reward cancelled, points returned"),
)
describe_type(
    types.LOYALTY_POINTS_EXPIRING, _expiring, label=gettext_lazy("Points about to expire")
)
describe_type(types.LOYALTY_POINTS_EXPIRED, gettext_lazy("Points expired"))
describe_type(types.LOYALTY_REFERRAL_CLAIMED, gettext_lazy("A friend claimed the referral link"))
describe_type(types.LOYALTY_REFERRAL_HELD, gettext_lazy("Referral held for review"))
describe_type(types.LOYALTY_REFERRAL_REWARDED, gettext_lazy("Referral reward earned"))
describe_type(types.LOYALTY_REFERRAL_REJECTED, gettext_lazy("Referral rejected"))
describe_type(types.LOYALTY_ORDER_KEPT, gettext_lazy("Order kept past its return period"))
