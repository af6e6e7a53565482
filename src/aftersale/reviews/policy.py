"""The facts behind a shop's generated "how we check reviews" page (UCPD Art. 7(6)): read
from the settings and data in force, so the page says what the shop actually does."""

from __future__ import annotations

from dataclasses import dataclass

from aftersale.loyalty.models import LoyaltyProgramme
from aftersale.loyalty.services import current_rule
from aftersale.reviews.models import RejectionReason, Review, ReviewSource, Verification
from aftersale.reviews.selectors import settings_of


@dataclass(frozen=True)
class Policy:
    auto_publish: bool
    default_delay_days: int
    longest_delay_days: int
    rejection_reasons: list[str]
    imported_verified: bool
    imported_unverified: bool
    review_bonus_points: int
    own_words: str


def policy_for(shop) -> Policy:
    review_settings = settings_of(shop)
    delays = [d for d in (review_settings.category_delays or {}).values() if isinstance(d, int)]
    imported = set(
        Review.objects.for_shop(shop)
        .filter(source=ReviewSource.IMPORTED)
        .values_list("verification", flat=True)
        .distinct()
    )
    programme = LoyaltyProgramme.objects.filter(shop=shop).first()
    rule = current_rule(shop) if programme is not None and programme.is_running() else None
    return Policy(
        auto_publish=review_settings.auto_publish,
        default_delay_days=review_settings.default_delay_days,
        longest_delay_days=max([review_settings.default_delay_days, *delays]),
        rejection_reasons=[str(label) for _value, label in RejectionReason.choices],
        imported_verified=Verification.IMPORTED_VERIFIED in imported,
        imported_unverified=Verification.IMPORTED_UNVERIFIED in imported,
        review_bonus_points=rule.review_bonus if rule is not None else 0,
        own_words=review_settings.verification_text,
    )
