"""Help-centre articles (one article, one row per language), their feedback and visitor counts.

Nothing here holds personal data: feedback and visitors are daily counts per shop. A visitor is
told apart from another within one day by a keyed hash of the address and browser; the key is
random per day and deleted with the day's hashes once the day is over.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped

LANGUAGES = ("fi", "sv", "en")


class Topic(models.TextChoices):
    """What an article is about; portal pages link the articles of the topics they touch."""

    ORDERS = "orders", _("Orders and payment")
    DELIVERY = "delivery", _("Delivery times")
    PICKUP = "pickup", _("Picking up a parcel")
    UNCLAIMED = "unclaimed", _("Unclaimed parcels")
    RETURNS = "returns", _("Returns")
    EXCHANGES = "exchanges", _("Exchanges")
    WITHDRAWAL = "withdrawal", _("Withdrawing from a purchase")
    COMPLAINTS = "complaints", _("Defects and complaints")
    OTHER = "other", _("Other")


class HelpCategory(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="help_categories")
    position = models.PositiveIntegerField(_("position"), default=0)
    name_fi = models.CharField(_("name in Finnish"), max_length=120, blank=True)
    name_sv = models.CharField(_("name in Swedish"), max_length=120, blank=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    # Set on the categories the starter articles create, so a second run finds them again.
    starter_key = models.CharField(max_length=40, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "position", "id"]
        verbose_name = _("help category")
        verbose_name_plural = _("help categories")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "starter_key"],
                condition=~models.Q(starter_key=""),
                name="help_category_unique_starter",
            )
        ]

    def __str__(self) -> str:
        return self.name("en")

    def name(self, language: str) -> str:
        """The name in ``language``, else in the first language that has one."""
        names = {code: getattr(self, f"name_{code}") for code in LANGUAGES}
        return names.get(language) or next((n for n in names.values() if n), "")


class HelpArticle(TimeStamped):
    """One thing explained, in up to three languages (``HelpArticleTranslation``)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="help_articles")
    category = models.ForeignKey(
        HelpCategory, on_delete=models.CASCADE, related_name="articles", verbose_name=_("category")
    )
    topic = models.CharField(
        _("topic"),
        max_length=20,
        choices=Topic.choices,
        default=Topic.OTHER,
        help_text=_("Order, return and tracking pages link the articles of their topics."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    published = models.BooleanField(_("published"), default=False)
    starter_key = models.CharField(max_length=40, blank=True)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "category__position", "position", "id"]
        verbose_name = _("help article")
        verbose_name_plural = _("help articles")
        indexes = [models.Index(fields=["shop", "published", "topic"], name="help_article_topic")]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "starter_key"],
                condition=~models.Q(starter_key=""),
                name="help_article_unique_starter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id}/{self.pk} {self.topic}"


class HelpArticleTranslation(TimeStamped):
    """An article's text in one language. Starter texts follow the shop's settings until edited."""

    article = models.ForeignKey(HelpArticle, on_delete=models.CASCADE, related_name="translations")
    # Copied from the article so every search starts from the shop and the language.
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=5)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    # True while the text is the one generated from the shop's settings; editing clears it.
    generated = models.BooleanField(default=False)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["article", "language"]
        verbose_name = _("article translation")
        verbose_name_plural = _("article translations")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="help_translation_unique_language"
            )
        ]
        indexes = [models.Index(fields=["shop", "language"], name="help_translation_language")]

    def __str__(self) -> str:
        return f"{self.language}: {self.title}"


class HelpVisitDay(models.Model):
    """How many different visitors opened a shop's help centre on one day (shop's time zone)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visitors = models.PositiveIntegerField(default=0)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "day"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "day"], name="help_visit_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}: {self.visitors}"


class HelpVisitSalt(models.Model):
    """Today's random key for telling visitors apart; deleted when the day is over."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)


class HelpVisitor(models.Model):
    """A keyed hash marking that one visitor was counted today; deleted with the day's key."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(db_index=True)
    digest = models.CharField(max_length=64)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "digest"], name="help_visitor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"
