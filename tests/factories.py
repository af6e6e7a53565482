"""factory_boy factories for every domain model. Each object belongs to an explicit shop."""

from __future__ import annotations

from datetime import UTC, datetime

import factory
from django.contrib.auth import get_user_model

from aftersale.catalog.models import Category, Product, ProductRelation, Variant
from aftersale.core.models import Membership, Shop
from aftersale.delivery.models import PickupPoint, Shipment, TrackingEvent
from aftersale.orders.models import Customer, Order, OrderLine, Payment, Refund
from aftersale.returns.models import ReturnLine, ReturnRequest

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    contact_email = "help@example.com"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    shop = factory.SubFactory(ShopFactory)
    role = Membership.Role.STAFF


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    shop = factory.SubFactory(ShopFactory)
    external_id = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    external_id = factory.Sequence(lambda n: f"prod-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory, shop=factory.SelfAttribute("..shop"))


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    shop = factory.SubFactory(ShopFactory)
    product = factory.SubFactory(ProductFactory, shop=factory.SelfAttribute("..shop"))
    external_id = factory.Sequence(lambda n: f"var-{n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    size = "M"
    colour = "black"
    price_cents = 4990
    unit_cost_cents = 2000


class ProductRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductRelation

    shop = factory.SubFactory(ShopFactory)
    product = factory.SubFactory(ProductFactory, shop=factory.SelfAttribute("..shop"))
    related = factory.SubFactory(ProductFactory, shop=factory.SelfAttribute("..shop"))
    kind = ProductRelation.Kind.ACCESSORY


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    shop = factory.SubFactory(ShopFactory)
    external_id = factory.Sequence(lambda n: f"cust-{n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.fi")
    first_name = "Aino"
    last_name = factory.Sequence(lambda n: f"Virtanen{n}")
    language = "fi"
    street = "Mannerheimintie 1 A 5"
    postcode = "00100"
    city = "Helsinki"


class PickupPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PickupPoint

    shop = factory.SubFactory(ShopFactory)
    carrier = "posti"
    code = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"K-Market Kamppi {n}")
    street = "Urho Kekkosen katu 1"
    postcode = "00100"
    city = "Helsinki"
    latitude = 60.1690
    longitude = 24.9330


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    shop = factory.SubFactory(ShopFactory)
    customer = factory.SubFactory(CustomerFactory, shop=factory.SelfAttribute("..shop"))
    external_id = factory.Sequence(lambda n: f"order-{n}")
    number = factory.Sequence(lambda n: f"{10000 + n}")
    placed_at = factory.LazyFunction(lambda: datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    subtotal_cents = 4990
    shipping_cents = 590
    total_cents = 5580
    vat_cents = 1134
    ship_name = "Aino Virtanen"
    ship_street = "Mannerheimintie 1 A 5"
    ship_postcode = "00100"
    ship_city = "Helsinki"


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    variant = factory.SubFactory(VariantFactory, shop=factory.SelfAttribute("..shop"))
    external_id = factory.Sequence(lambda n: f"line-{n}")
    sku = factory.SelfAttribute("variant.sku")
    name = factory.SelfAttribute("variant.product.name")
    quantity = 1
    unit_price_cents = 4990
    total_cents = 4990
    vat_cents = 1014
    unit_cost_cents = 2000


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    external_id = factory.Sequence(lambda n: f"pay-{n}")
    amount_cents = factory.SelfAttribute("order.total_cents")
    paid_at = factory.SelfAttribute("order.placed_at")


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    external_id = factory.Sequence(lambda n: f"refund-{n}")
    amount_cents = 4990
    refunded_at = factory.LazyFunction(lambda: datetime(2026, 11, 12, 10, 0, tzinfo=UTC))


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    external_id = factory.Sequence(lambda n: f"ship-{n}")
    carrier = "posti"
    tracking_number = factory.Sequence(lambda n: f"JJFI{64000000000000 + n}")


class TrackingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackingEvent

    shipment = factory.SubFactory(ShipmentFactory)
    shop = factory.SelfAttribute("shipment.shop")
    carrier_code = "SHIPPED"
    status = "shipped"
    occurred_at = factory.LazyFunction(lambda: datetime(2026, 11, 3, 8, 0, tzinfo=UTC))


class ReturnRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnRequest

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    customer = factory.SelfAttribute("order.customer")
    requested_at = factory.LazyFunction(lambda: datetime(2026, 11, 10, 12, 0, tzinfo=UTC))


class ReturnLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnLine

    return_request = factory.SubFactory(ReturnRequestFactory)
    shop = factory.SelfAttribute("return_request.shop")
    order_line = factory.SubFactory(
        OrderLineFactory, order=factory.SelfAttribute("..return_request.order")
    )
    quantity = 1
    reason = "too_small"
