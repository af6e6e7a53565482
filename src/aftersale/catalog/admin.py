from django.contrib import admin

from aftersale.catalog.models import Category, Product, ProductRelation, Variant


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    exclude = ["shop"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "non_returnable"]
    list_filter = ["shop", "non_returnable"]
    search_fields = ["name", "external_id"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "category", "final_sale"]
    list_filter = ["shop", "final_sale"]
    search_fields = ["name", "external_id"]
    inlines = [VariantInline]


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "product", "size", "colour", "price_cents", "stock"]
    list_filter = ["shop"]
    search_fields = ["sku", "product__name"]
    raw_id_fields = ["product"]


@admin.register(ProductRelation)
class ProductRelationAdmin(admin.ModelAdmin):
    list_display = ["product", "kind", "related", "shop"]
    list_filter = ["shop", "kind"]
    raw_id_fields = ["product", "related", "source_variant", "related_variant"]
