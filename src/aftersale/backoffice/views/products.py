"""The shop's products: a searchable list, and each product's relations and recommendations,
where staff pin or block a recommendation."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.catalog.models import Product, ProductRelation
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.recommendations import services
from aftersale.recommendations.models import BoughtTogether, RecommendationRule

SHOWN = 12


@shop_required
def product_list(request):
    query = request.GET.get("q", "").strip()[:100]
    products = Product.objects.for_shop(request.shop).select_related("category")
    if query:
        products = products.filter(name__icontains=query) | products.filter(external_id=query)
    page = page_of(request, products.order_by("name", "pk"))
    return render(request, "backoffice/product_list.html", {"page": page, "query": query})


@shop_required
def product_detail(request, product_id: int):
    shop = request.shop
    product = get_for_shop_or_404(Product.objects.select_related("category"), shop, pk=product_id)
    relations = (
        ProductRelation.objects.for_shop(shop)
        .filter(product=product)
        .select_related("related", "source_variant", "related_variant")
        .order_by("kind", "position", "pk")
    )
    rules = services.rules_for(shop, product)
    blocked_ids = {r.related_id for r in rules if r.action == RecommendationRule.Action.BLOCK}
    mined = (
        BoughtTogether.objects.for_shop(shop)
        .filter(product=product)
        .exclude(related_id__in=blocked_ids)
        .select_related("related")
        .order_by("-score", "pk")[:SHOWN]
    )
    return render(
        request,
        "backoffice/product_detail.html",
        {
            "product": product,
            "variants": product.variants.order_by("sku")[:50],
            "relations": relations,
            "recommendations": services.recommend_for_product(shop, product, limit=SHOWN),
            "rules": rules,
            "mined": mined,
        },
    )


@shop_required
@require_POST
def recommendation_rule(request, product_id: int):
    """Pin, block or release one recommendation of the product."""
    shop = request.shop
    product = get_for_shop_or_404(Product.objects, shop, pk=product_id)
    related = get_for_shop_or_404(Product.objects, shop, pk=request.POST.get("related") or 0)
    action = request.POST.get("action", "")
    if action not in ("pin", "block", "") or related.pk == product.pk:
        messages.error(request, _("Choose pin, block or release for another product."))
        return redirect("backoffice:product_detail", product_id=product.pk)
    services.set_rule(shop, product, related, action, user=request.user)
    done = {
        "pin": _("%(name)s is pinned to the top of the recommendations."),
        "block": _("%(name)s is no longer recommended with this product."),
        "": _("%(name)s is recommended as the data says again."),
    }[action]
    messages.success(request, done % {"name": related.name})
    return redirect("backoffice:product_detail", product_id=product.pk)
