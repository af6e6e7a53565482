"""The demo shop simulator: two years of a Finnish web shop's customers, orders, deliveries,
returns and refunds, from one seed.

Pure Python and NumPy (no Django), so it can be tested, hashed and benchmarked alone; the
writer (``aftersale.demo.writer``) turns the result into database rows. Every time is a whole
number of seconds since the Unix epoch (UTC). docs/demo.md documents the parameters and the
headline rates that tests and benchmarks rely on.

Buying follows a BG/NBD process: each customer arrives with a first order, buys again at a
personal rate λ ~ Gamma and drops out after any order with a personal probability p ~ Beta,
so lifetime-value models fitted to the data find real signal.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from aftersale.demo import carriers as carrier_data
from aftersale.demo.catalogue import Catalogue, Product, Variant, build_catalogue
from aftersale.demo.draws import Draws, Weighted, cumulative
from aftersale.demo.people import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    FLAT_STREETS,
    HOUSE_STREETS,
    LAST_NAMES,
    MOBILE_PREFIXES,
    email_local_part,
)
from aftersale.demo.places import CITIES
from aftersale.demo.records import (
    Customer,
    DemoData,
    Order,
    OrderLine,
    Payment,
    Refund,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopHistory,
    TrackingEvent,
)

DAY = 86_400
HOUR = 3_600
YEAR_DAYS = 365.25
VAT_CHANGE = int(datetime(2024, 9, 1, tzinfo=UTC).timestamp())  # 24 % -> 25.5 %
RETURN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# Relative order volume by calendar month (Black Friday and Christmas peak).
SEASON = (0.85, 0.8, 0.9, 0.95, 1.0, 0.95, 0.85, 0.95, 1.0, 1.05, 1.6, 1.45)
# Relative order volume by local hour of the day (evenings are busiest).
HOURS = (
    0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.4, 1.6, 1.7, 1.8,
    1.9, 1.9, 1.8, 1.8, 1.9, 2.1, 2.4, 2.7, 2.9, 2.6, 1.8, 0.9,
)  # fmt: skip

DELIVERY_SHARES = (("pickup_point", 0.55), ("parcel_locker", 0.25), ("home", 0.20))
PAYMENT_SHARES = (("card", 0.38), ("bank", 0.27), ("mobile", 0.20), ("invoice", 0.15))
FASHION_CATEGORY_WEIGHTS = {
    "dresses": 0.16,
    "shirts": 0.22,
    "trousers": 0.16,
    "shoes": 0.16,
    "outerwear": 0.1,
    "underwear": 0.1,
    "accessories": 0.1,
}
ELECTRONICS_CATEGORY_WEIGHTS = {
    "phones": 0.12,
    "headphones": 0.2,
    "laptops": 0.06,
    "chargers": 0.24,
    "cases": 0.24,
    "watches": 0.14,
}
# Share of each group in a customer's lines, by the customer's taste.
TASTES = {
    "fashion": {"fashion": 0.86, "electronics": 0.08, "personalised": 0.06},
    "tech": {"fashion": 0.14, "electronics": 0.81, "personalised": 0.05},
    "mixed": {"fashion": 0.5, "electronics": 0.42, "personalised": 0.08},
}
# Return reasons other than fit, by group.
FASHION_OTHER_REASONS = (
    ("quality", 0.3),
    ("not_as_described", 0.3),
    ("changed_mind", 0.3),
    ("arrived_damaged", 0.07),
    ("wrong_item", 0.03),
)
ELECTRONICS_REASONS = (
    ("changed_mind", 0.4),
    ("not_as_described", 0.25),
    ("arrived_damaged", 0.25),
    ("wrong_item", 0.05),
    ("quality", 0.05),
)
SERIAL_REASONS = (("changed_mind", 0.55), ("not_as_described", 0.25), ("quality", 0.2))
COMPLAINT_ONLY = (("arrived_damaged", 0.8), ("wrong_item", 0.2))
COMPLAINT_REASONS = frozenset({"arrived_damaged", "wrong_item"})
SIZE_REASONS = frozenset({"too_small", "too_large"})
RETURN_COMMENTS = {
    "too_small": ("Liian pieni.", "Kireä hartioista.", "Lahkeet jäivät lyhyiksi.", ""),
    "too_large": ("Liian iso.", "Väljä vyötäröltä.", "Hihat liian pitkät.", ""),
    "quality": ("Kangas nyppyyntyi heti.", "Sauma purkautui.", ""),
    "not_as_described": ("Väri eri kuin kuvassa.", "Materiaali ei vastannut kuvausta.", ""),
    "changed_mind": ("", "", "Löysin toisen."),
    "arrived_damaged": ("Paketti oli rikki.", "Näytössä naarmu.", "Ei käynnisty."),
    "wrong_item": ("Väärä koko paketissa.", "Väärä tuote."),
}


@dataclass(frozen=True, slots=True)
class DemoParameters:
    """Everything the simulation depends on; same parameters and seed -> the same data."""

    end_date: date
    seed: int = 42
    customers: int = 20_000
    months: int = 24
    time_zone: str = "Europe/Helsinki"
    # Buying: repeat-purchase rate per year λ ~ Gamma(rate_shape, mean rate_mean_per_year),
    # drop-out after each order p ~ Beta(dropout_a, dropout_b).
    rate_shape: float = 1.2
    rate_mean_per_year: float = 3.8
    dropout_a: float = 1.3
    dropout_b: float = 5.0
    # Behaviour shares among customers.
    consent_share: float = 0.6
    serial_returner_share: float = 0.03
    bracketer_share: float = 0.05  # of customers who buy fashion
    chronic_unclaimer_share: float = 0.03
    # The small second shop has this many customers per customer of the big one (at least 25).
    second_shop_ratio: float = 0.0125


@dataclass(frozen=True, slots=True)
class ShopSpec:
    slug: str
    name: str
    groups: tuple[str, ...]
    default_language: str
    languages: tuple[tuple[str, float], ...]  # customer language shares
    tastes: tuple[tuple[str, float], ...]
    sku_prefix: str
    first_order_number: int
    order_prefix: str
    email: str
    return_fee_cents: int  # charged for a withdrawal return (exchanges are free)
    return_label_cost_cents: int  # what a return parcel costs the shop
    unclaimed_fee_cents: int  # kept from the refund of an unclaimed parcel
    warehouse_city: str  # where parcels leave from (and unclaimed ones go back to)


POHJOLA_STYLE = ShopSpec(
    slug="pohjola-style",
    name="Pohjola Style",
    groups=("fashion", "electronics", "personalised"),
    default_language="fi",
    languages=(("fi", 0.85), ("sv", 0.10), ("en", 0.05)),
    tastes=(("fashion", 0.62), ("tech", 0.25), ("mixed", 0.13)),
    sku_prefix="PS",
    first_order_number=100001,
    order_prefix="",
    email="asiakaspalvelu@pohjola-style.example",
    return_fee_cents=490,
    return_label_cost_cents=590,
    unclaimed_fee_cents=790,
    warehouse_city="Vantaa",
)
SAARISTO_TECH = ShopSpec(
    slug="saaristo-tech",
    name="Saaristo Tech",
    groups=("electronics",),
    default_language="sv",
    languages=(("sv", 0.45), ("fi", 0.5), ("en", 0.05)),
    tastes=(("tech", 1.0),),
    sku_prefix="ST",
    first_order_number=20001,
    order_prefix="ST-",
    email="kundservice@saaristo-tech.example",
    return_fee_cents=0,
    return_label_cost_cents=690,
    unclaimed_fee_cents=690,
    warehouse_city="Turku",
)
SHOPS = (POHJOLA_STYLE, SAARISTO_TECH)


def simulate(parameters: DemoParameters) -> DemoData:
    """Both demo shops. Each shop has its own random stream derived from the seed."""
    streams = np.random.SeedSequence(parameters.seed).spawn(len(SHOPS) + 1)
    points = carrier_data.build_pickup_points(Draws(np.random.default_rng(streams[0])))
    used_codes: set[str] = set()
    second = max(25, round(parameters.customers * parameters.second_shop_ratio))
    shops = []
    for spec, stream, n in zip(SHOPS, streams[1:], (parameters.customers, second), strict=True):
        shops.append(ShopSimulation(spec, parameters, stream, points, n, used_codes).run())
    return DemoData(parameters, shops)


def fingerprint(data: DemoData) -> str:
    """A SHA-256 of every simulated row, to check that a seed always gives the same data."""
    digest = hashlib.sha256()
    for shop in data.shops:
        for rows in (
            shop.catalogue.products,
            shop.catalogue.variants,
            shop.catalogue.accessory_links,
            shop.pickup_points,
            shop.customers,
            shop.orders,
            shop.lines,
            shop.payments,
            shop.shipments,
            shop.tracking_events,
            shop.returns,
            shop.return_lines,
            shop.refunds,
        ):
            names = [f.name for f in fields(rows[0])] if rows and is_dataclass(rows[0]) else None
            for row in rows:
                values = tuple(getattr(row, name) for name in names) if names else row
                digest.update(repr(values).encode())
    return digest.hexdigest()


class ShopSimulation:
    """Simulates one shop; ``run()`` returns its ShopHistory."""

    def __init__(
        self,
        spec: ShopSpec,
        parameters: DemoParameters,
        stream: np.random.SeedSequence,
        points: list[carrier_data.PickupPoint],
        customers: int,
        used_codes: set[str],
    ) -> None:
        self.spec = spec
        self.p = parameters
        self.rng = np.random.default_rng(stream)
        self.draws = Draws(self.rng)
        self.n_customers = customers
        self.used_codes = used_codes
        self.languages = Weighted(spec.languages)
        self.tastes = Weighted(spec.tastes)
        self.refunds_by_order: dict[int, list[Refund]] = {}
        self.emails: set[str] = set()
        tz = ZoneInfo(parameters.time_zone)
        end_day = parameters.end_date
        start_day = _months_before(end_day, parameters.months)
        self.days = (end_day - start_day).days
        # Local midnights, so that orders are placed at plausible local hours.
        self.midnights = [
            int(
                datetime.combine(start_day + timedelta(days=d), datetime.min.time(), tz).timestamp()
            )
            for d in range(self.days + 1)
        ]
        self.day_month = [(start_day + timedelta(days=d)).month for d in range(self.days + 1)]
        self.day_season = [
            SEASON[(start_day + timedelta(days=d)).month - 1] for d in range(self.days)
        ]
        self.start, self.end = self.midnights[0], self.midnights[-1]
        catalogue = build_catalogue(
            self.rng, groups=spec.groups, language=spec.default_language, sku_prefix=spec.sku_prefix
        )
        self.history = ShopHistory(spec, self.start, self.end, catalogue, points)
        self._index_catalogue(catalogue)
        self._index_points(points)

    # -- set-up ------------------------------------------------------------------------------

    def _index_catalogue(self, catalogue: Catalogue) -> None:
        self.products = catalogue.products
        self.variants = catalogue.variants
        self.by_category: dict[str, tuple[list[Product], list[float]]] = {}
        for spec in catalogue.categories:
            members = catalogue.products_in(spec.key)
            self.by_category[spec.key] = (members, cumulative([p.popularity for p in members]))
        self.sizing = {spec.key: spec.sizing for spec in catalogue.categories}
        self.non_returnable = {spec.key: spec.non_returnable for spec in catalogue.categories}
        self.accessories: dict[int, list[int]] = {}
        for product, accessory, _ in catalogue.accessory_links:
            self.accessories.setdefault(product, []).append(accessory)
        groups: dict[str, tuple[list[str], list[float]]] = {}
        for group, weights in (
            ("fashion", FASHION_CATEGORY_WEIGHTS),
            ("electronics", ELECTRONICS_CATEGORY_WEIGHTS),
        ):
            keys = [k for k in weights if k in self.by_category]
            if keys:
                groups[group] = (keys, cumulative([weights[k] for k in keys]))
        if "engraved" in self.by_category:
            groups["personalised"] = (["engraved"], [1.0])
        self.group_categories = groups
        self.taste_groups = {}
        for taste, shares in TASTES.items():
            present = [g for g in shares if g in groups]
            self.taste_groups[taste] = (present, cumulative([shares[g] for g in present]))
        # Per product, its variants by colour, each list in size order.
        self.colours: list[list[list[Variant]]] = []
        for product in self.products:
            by_colour: dict[str, list[Variant]] = {}
            for index in product.variants:
                by_colour.setdefault(self.variants[index].colour, []).append(self.variants[index])
            self.colours.append(list(by_colour.values()))
        self.line_names = []
        for variant in self.variants:
            label = " / ".join(part for part in (variant.size, variant.colour) if part)
            name = self.products[variant.product].name
            self.line_names.append(f"{name}, {label}" if label else name)

    def _index_points(self, points: list[carrier_data.PickupPoint]) -> None:
        self.points_at: dict[tuple[str, str, str], list[int]] = {}
        for point in points:
            self.points_at.setdefault((point.city, point.carrier, point.kind), []).append(
                point.index
            )

    # -- the run -----------------------------------------------------------------------------

    def run(self) -> ShopHistory:
        d = self.draws
        order_times: list[tuple[int, int]] = []
        for index in range(self.n_customers):
            customer = self._customer(index)
            self.history.customers.append(customer)
            for placed_at in self._purchase_times(customer):
                order_times.append((placed_at, index))
        order_times.sort()
        last_device: dict[int, int] = {}
        seen: set[int] = set()
        for placed_at, customer_index in order_times:
            customer = self.history.customers[customer_index]
            if customer_index not in seen:
                seen.add(customer_index)
                customer.first_order_at = placed_at
                if customer.marketing_consent:
                    customer.consent_at = placed_at
            order = self._order(customer, placed_at, last_device)
            if d.chance(0.008) and placed_at + 2 * HOUR < self.end:
                self._cancel(order)
                continue
            shipment = self._ship(order, customer)
            if shipment is None:
                continue  # placed in the last hours: not yet handed to the carrier
            if shipment.received_at is not None:
                self._maybe_return(order, customer, shipment)
            elif shipment.returned_at is not None:
                self._refund_unclaimed(order, shipment)
        return self.history

    # -- customers ---------------------------------------------------------------------------

    def _customer(self, index: int) -> Customer:
        d, spec = self.draws, self.spec
        language = d.weighted(self.languages)
        if language == "sv":
            city = CITIES[d.index(_SV_CITY_WEIGHTS)]
        elif language == "fi":
            city = CITIES[d.index(_FI_CITY_WEIGHTS)]
        else:
            city = CITIES[d.index(_ALL_CITY_WEIGHTS)]
        gender = "f" if d.chance(0.6) else "m"
        first = d.pick(FIRST_NAMES[language][gender])
        last = d.pick(LAST_NAMES[language])
        street_language = "sv" if language == "sv" else "fi"
        if d.chance(0.62):  # a flat: street, number, stair and flat
            stair = "ABCDEFGH"[int(d.exponential(1.2)) % 8]
            street = (
                f"{d.pick(FLAT_STREETS[street_language])} {d.integer(1, 60)} "
                f"{stair} {d.integer(1, 60)}"
            )
        else:
            street = f"{d.pick(HOUSE_STREETS[street_language])} {d.integer(1, 40)}"
        number = d.integer(1, 100)
        local = f"{email_local_part(first, last)}{number if d.chance(0.5) else ''}"
        domain = d.pick(EMAIL_DOMAINS)
        email = f"{local}@{domain}"
        while email in self.emails:  # one customer per e-mail address in a shop
            email = f"{local}.{d.integer(1, 10_000)}@{domain}"
        self.emails.add(email)
        phone = f"+358 {d.pick(MOBILE_PREFIXES)} {d.integer(100, 1000)} {d.integer(1000, 10000)}"
        taste = d.weighted(self.tastes)
        buys_fashion = taste != "tech" and "fashion" in spec.groups
        serial = d.chance(self.p.serial_returner_share)
        rate = self.rng.gamma(self.p.rate_shape, self.p.rate_mean_per_year / self.p.rate_shape)
        dropout = self.rng.beta(self.p.dropout_a, self.p.dropout_b)
        if "fashion" not in spec.groups:
            rate *= 0.6  # gadgets are bought less often than clothes
        return Customer(
            index=index,
            external_id=f"{spec.sku_prefix.lower()}-c{index + 1:06d}",
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            language=language,
            street=street,
            postcode=d.pick(city.postcodes),
            city=city.name,
            marketing_consent=d.chance(self.p.consent_share),
            consent_at=None,
            first_order_at=0,
            taste=taste,
            size_rank=min(4, max(0, round(d.normal(2.0, 0.95)))),
            shoe_rank=min(10, max(0, round(d.normal(3.0 if gender == "f" else 7.0, 1.4)))),
            spend_level=float(self.rng.gamma(3.0, 1 / 3)),
            return_propensity=float(self.rng.gamma(3.0, 1 / 3)),
            serial_returner=serial,
            bracketer=buys_fashion and not serial and d.chance(self.p.bracketer_share),
            chronic_unclaimer=d.chance(self.p.chronic_unclaimer_share),
            delivery_method=d.weighted(_DELIVERY),
            payment_method=d.weighted(_PAYMENT),
            point_slot=d.integer(0, 1000),
            purchase_rate=float(rate),
            dropout=float(dropout),
        )

    def _purchase_times(self, customer: Customer) -> list[int]:
        """The customer's order times: arrival, then a seasonal Poisson process until drop-out."""
        d = self.draws
        span = self.end - self.start
        # The shop grows: arrivals become more frequent towards the end (density 0.6 -> 1.4).
        while True:
            u = d.random()
            x = (-0.6 + math.sqrt(0.36 + 1.6 * u)) / 0.8
            t = self.start + x * span
            if d.random() < self.day_season[int((t - self.start) // DAY)] / 1.6:
                break
        times = [self._local_time(t)]
        peak = max(SEASON)
        mean_gap = YEAR_DAYS * DAY / (customer.purchase_rate * peak)
        while not d.chance(customer.dropout):
            while True:
                t += d.exponential(mean_gap)
                if t >= self.end:
                    return times
                if d.random() < self.day_season[int((t - self.start) // DAY)] / peak:
                    break
            times.append(self._local_time(t))
        return times

    def _local_time(self, t: float) -> int:
        """The same local day as ``t``, at an hour drawn from the shop's daily rhythm."""
        day = int((t - self.start) // DAY)
        return self.midnights[day] + _hour_of_day(self.draws) + self.draws.integer(0, HOUR)

    # -- orders ------------------------------------------------------------------------------

    def _order(self, customer: Customer, placed_at: int, last_device: dict[int, int]) -> Order:
        d, spec = self.draws, self.spec
        number = spec.first_order_number + len(self.history.orders)
        method = customer.delivery_method if d.chance(0.85) else d.weighted(_DELIVERY)
        carrier = d.weighted(_CARRIERS[method])
        point = -1
        if method != "home":
            kind = "counter" if method == "pickup_point" else "locker"
            candidates = self.points_at.get((customer.city, carrier, kind), [])
            if candidates:
                slot = customer.point_slot if d.chance(0.8) else d.integer(0, 1000)
                point = candidates[slot % len(candidates)]
        order = Order(
            index=len(self.history.orders),
            number=f"{spec.order_prefix}{number}",
            customer=customer.index,
            placed_at=placed_at,
            status="open",
            subtotal_cents=0,
            shipping_cents=0,
            discount_cents=0,
            total_cents=0,
            vat_cents=0,
            payment_method=(customer.payment_method if d.chance(0.8) else d.weighted(_PAYMENT)),
            delivery_method=method,
            carrier=carrier,
            pickup_point=point,
            ship_name=f"{customer.first_name} {customer.last_name}",
            ship_street=customer.street,
            ship_postcode=customer.postcode,
            ship_city=customer.city,
            ship_phone=customer.phone,
            marketing_consent=customer.marketing_consent,
        )
        self.history.orders.append(order)
        vat_bp = 2550 if placed_at >= VAT_CHANGE else 2400
        chosen = self._basket(customer, order, last_device)
        for variant, quantity in chosen:
            self._add_line(order, variant, quantity, vat_bp)
        subtotal = sum(self.history.lines[i].total_cents for i in order.lines)
        month = self.day_month[(placed_at - self.start) // DAY]
        discount = 0
        if month == 11 and d.chance(0.3):
            discount = subtotal * 20 // 100  # Black Friday
        elif d.chance(0.1):
            discount = subtotal * 10 // 100  # a welcome or newsletter code
        shipping = 0
        if subtotal - discount < 7900:
            shipping = 790 if method == "home" else 490
        order.subtotal_cents = subtotal
        order.discount_cents = discount
        order.shipping_cents = shipping
        order.total_cents = subtotal - discount + shipping
        order.vat_cents = round(order.total_cents * vat_bp / (10_000 + vat_bp))
        paid_at = placed_at + d.integer(5, 90)
        self.history.payments.append(
            Payment(
                order.index, f"pay-{order.number}", order.payment_method, order.total_cents, paid_at
            )
        )
        return order

    def _basket(
        self, customer: Customer, order: Order, last_device: dict[int, int]
    ) -> list[tuple[Variant, int]]:
        d = self.draws
        n_lines = 1 + min(3, _poisson(d, 0.55 * customer.spend_level))
        groups, group_weights = self.taste_groups[customer.taste]
        chosen: list[tuple[Variant, int]] = []
        seen: set[int] = set()

        def add(variant: Variant, quantity: int = 1) -> None:
            if variant.index not in seen and len(chosen) < 4:
                seen.add(variant.index)
                chosen.append((variant, quantity))

        # A returning device owner often comes back for an accessory.
        device = last_device.get(customer.index)
        if device is not None and d.chance(0.25):
            add(self._pick_variant(customer, self.products[d.pick(self.accessories[device])]))
        for _ in range(n_lines):
            group = groups[d.index(group_weights)]
            keys, weights = self.group_categories[group]
            category = keys[d.index(weights)]
            members, popularity = self.by_category[category]
            product = members[d.index(popularity)]
            if (
                customer.bracketer
                and self.sizing[category]
                and not order.bracketed
                and d.chance(0.6)
            ):
                order.bracketed = True
                for variant in self._bracket(customer, product):
                    add(variant)
                continue
            quantity = 2 if category in ("underwear", "chargers") and d.chance(0.12) else 1
            add(self._pick_variant(customer, product), quantity)
            if product.index in self.accessories:
                last_device[customer.index] = product.index
                if d.chance(0.4):
                    accessory = self.products[d.pick(self.accessories[product.index])]
                    add(self._pick_variant(customer, accessory))
        return chosen

    def _size_rank(self, customer: Customer, product: Product) -> int:
        return (
            customer.shoe_rank if self.sizing[product.category] == "shoes" else customer.size_rank
        )

    def _pick_variant(self, customer: Customer, product: Product) -> Variant:
        d = self.draws
        same_colour = d.pick(self.colours[product.index])
        if not self.sizing[product.category]:
            return same_colour[0]
        rank = self._size_rank(customer, product)
        if d.chance(0.28):
            rank += -1 if d.chance(0.5) else 1
        rank = min(max(rank, 0), len(same_colour) - 1)
        return same_colour[rank]

    def _bracket(self, customer: Customer, product: Product) -> list[Variant]:
        """One item in two or three neighbouring sizes (the customer keeps one)."""
        d = self.draws
        same_colour = d.pick(self.colours[product.index])
        rank = self._size_rank(customer, product)
        wanted = (
            (rank - 1, rank, rank + 1)
            if d.chance(0.45)
            else (rank, rank + (1 if d.chance(0.5) else -1))
        )
        ranks = sorted({min(max(r, 0), len(same_colour) - 1) for r in wanted})
        if len(ranks) < 2:  # at the end of the scale
            ranks = [0, 1] if ranks[0] == 0 else [ranks[0] - 1, ranks[0]]
        return [same_colour[r] for r in ranks]

    def _add_line(self, order: Order, variant: Variant, quantity: int, vat_bp: int) -> None:
        product = self.products[variant.product]
        total = variant.price_cents * quantity
        line = OrderLine(
            index=len(self.history.lines),
            order=order.index,
            external_id=str(len(order.lines) + 1),
            variant=variant.index,
            sku=variant.sku,
            name=self.line_names[variant.index],
            quantity=quantity,
            unit_price_cents=variant.price_cents,
            total_cents=total,
            vat_rate_bp=vat_bp,
            vat_cents=round(total * vat_bp / (10_000 + vat_bp)),
            unit_cost_cents=variant.unit_cost_cents,
            group=product.group,
            category=product.category,
        )
        self.history.lines.append(line)
        order.lines.append(line.index)

    def _cancel(self, order: Order) -> None:
        order.status = "cancelled"
        at = order.placed_at + self.draws.integer(HOUR // 2, 2 * HOUR)
        self._refund(order, order.total_cents, self._text("cancelled"), at, -1)

    # -- delivery ----------------------------------------------------------------------------

    def _ship(self, order: Order, customer: Customer) -> Shipment | None:
        d = self.draws
        serial = len(self.history.shipments) + 1
        created = order.placed_at + d.integer(HOUR // 4, 6 * HOUR)
        shipped = order.placed_at + d.integer(8 * HOUR, 40 * HOUR)
        if created >= self.end:
            return None
        shipment = Shipment(
            index=len(self.history.shipments),
            order=order.index,
            external_id=f"shp-{order.number}",
            carrier=order.carrier,
            tracking_number=carrier_data.tracking_number(
                order.carrier, serial + 7919 * order.index
            ),
            status="created",
            pickup_point=order.pickup_point,
            created_at=created,
            held_until=None,
            expected_delivery=datetime.fromtimestamp(shipped + 2 * DAY, UTC).date(),
            shipped_at=None,
            ready_at=None,
            received_at=None,
            returned_at=None,
        )
        self.history.shipments.append(shipment)
        point = self.history.pickup_points[order.pickup_point] if order.pickup_point >= 0 else None
        here = point.city if point else order.ship_city
        steps: list[tuple[str, int, str]] = [
            ("created", created, ""),
            ("shipped", shipped, self.spec.warehouse_city),
        ]
        in_transit = shipped + d.integer(3 * HOUR, 10 * HOUR)
        steps.append(("in_transit", in_transit, self.spec.warehouse_city))
        if order.delivery_method == "home":
            at = in_transit + d.integer(14 * HOUR, 34 * HOUR)
            if d.chance(0.05):
                steps.append(("delivery_failed", at, here))
                if d.chance(0.85):
                    steps.append(("delivered", at + d.integer(20 * HOUR, 30 * HOUR), here))
                else:
                    steps.append(("returned_to_sender", at + d.integer(3 * DAY, 5 * DAY), here))
            else:
                steps.append(("delivered", at, here))
        else:
            ready = in_transit + d.integer(10 * HOUR, 30 * HOUR)
            hold_days = 14 if order.delivery_method == "pickup_point" else 7
            held_until = ready + hold_days * DAY
            steps.append(("ready_for_pickup", ready, here))
            base = 0.016 if order.delivery_method == "pickup_point" else 0.011
            unclaimed = 0.6 if customer.chronic_unclaimer else base
            if d.chance(unclaimed):
                steps.append(
                    ("returned_to_sender", held_until + d.integer(2 * HOUR, 20 * HOUR), here)
                )
            else:
                wait = d.exponential(1.3 * DAY)
                if wait >= hold_days * DAY - HOUR:
                    wait = d.uniform(0, hold_days * DAY - HOUR)
                steps.append(("picked_up", ready + int(wait), here))
            if ready < self.end:
                shipment.held_until = held_until
        codes = carrier_data.TRACKING_CODES[order.carrier]
        for status, at, location in steps:
            if at >= self.end:
                break
            code, description = codes[status]
            shipment.events.append(len(self.history.tracking_events))
            self.history.tracking_events.append(
                TrackingEvent(shipment.index, code, status, description, location, at)
            )
            shipment.status = status
            if status == "shipped":
                shipment.shipped_at = at
                order.status = "fulfilled"
            elif status == "ready_for_pickup":
                shipment.ready_at = at
            elif status in ("picked_up", "delivered"):
                shipment.received_at = at
            elif status == "returned_to_sender":
                shipment.returned_at = at
        return shipment

    def _refund_unclaimed(self, order: Order, shipment: Shipment) -> None:
        at = (shipment.returned_at or 0) + self.draws.integer(DAY, 4 * DAY)
        if at < self.end:
            amount = max(0, order.total_cents - self.spec.unclaimed_fee_cents)
            self._refund(order, amount, self._text("unclaimed"), at, -1)

    # -- returns -----------------------------------------------------------------------------

    def _maybe_return(self, order: Order, customer: Customer, shipment: Shipment) -> None:
        d = self.draws
        returned: list[tuple[OrderLine, str]] = []
        lines = [self.history.lines[i] for i in order.lines]
        keep = self._kept_bracket_line(customer, lines) if order.bracketed else None
        for line in lines:
            reason = self._return_reason(customer, line, keep)
            if reason:
                returned.append((line, reason))
        if not returned:
            return
        requested = (shipment.received_at or 0) + int(d.exponential(3 * DAY)) % (13 * DAY) + HOUR
        if requested >= self.end:
            return
        complaint = all(reason in COMPLAINT_REASONS for _, reason in returned)
        sizes = any(reason in SIZE_REASONS for _, reason in returned)
        resolution = "refund"
        if not complaint:
            roll = d.random()
            if sizes and roll < 0.22:
                resolution = "exchange"
            elif roll > 0.9:
                resolution = "store_credit"
        fee = 0 if complaint or resolution == "exchange" else self.spec.return_fee_cents
        request = ReturnRequest(
            index=len(self.history.returns),
            order=order.index,
            customer=customer.index,
            code=self._return_code(),
            kind="complaint" if complaint else "withdrawal",
            state="requested",
            resolution=resolution,
            return_method=order.carrier if order.carrier != "db_schenker" else "posti",
            fee_cents=fee,
            refund_cents=None,
            return_shipping_cost_cents=self.spec.return_label_cost_cents,
            requested_at=requested,
            closed_at=None,
            states=[],
        )
        self.history.returns.append(request)
        # The states this return goes through, then cut at the end of the simulated period.
        plan = [("requested", requested)]
        at = requested + d.integer(HOUR, 30 * HOUR)
        if not complaint and d.chance(0.02):
            plan.append(("rejected", at))
        elif d.chance(0.03):
            plan += [("approved", at), ("closed", at + 30 * DAY)]  # never sent back
        else:
            plan.append(("approved", at))
            at += d.integer(HOUR * 12, 5 * DAY)
            plan.append(("in_transit", at))
            at += d.integer(DAY, 4 * DAY)
            plan.append(("received", at))
            at += d.integer(2 * HOUR, 48 * HOUR)
            plan.append(("inspected", at))
            at += d.integer(2 * HOUR, 72 * HOUR)
            final = {"refund": "refunded", "exchange": "exchanged", "store_credit": "credited"}
            plan.append((final[resolution], at))
        for state, when in plan:
            if when >= self.end:
                break
            request.states.append((state, when))
            request.state = state
        if request.state in ("rejected", "closed", "refunded", "exchanged", "credited"):
            request.closed_at = request.states[-1][1]
        inspected = any(state == "inspected" for state, _ in request.states)
        all_back = len(returned) == len(lines) and all(line.quantity == 1 for line, _ in returned)
        refund = 0
        for line, reason in returned:
            exchange = -1
            if resolution == "exchange" and reason in SIZE_REASONS:
                exchange = self._exchange_variant(line, reason)
            self.history.return_lines.append(
                ReturnLine(
                    request.index,
                    line.index,
                    line.quantity,
                    reason,
                    d.pick(RETURN_COMMENTS.get(reason, ("",))) if d.chance(0.4) else "",
                    exchange,
                    ("damaged" if d.chance(0.08) else "restock") if inspected else "",
                )
            )
            request.lines.append(len(self.history.return_lines) - 1)
            # Each line is refunded at what was paid for it (its share of the discount off).
            share = line.total_cents - line.total_cents * order.discount_cents // max(
                order.subtotal_cents, 1
            )
            refund += share
        if all_back and not complaint:
            refund += order.shipping_cents  # the original delivery is refunded on withdrawal
        refund = min(max(0, refund - fee), order.total_cents - self._refunded(order))
        if request.state == "refunded":
            request.refund_cents = refund
            self._refund(
                order,
                refund,
                self._text("return", request.code),
                request.closed_at or 0,
                request.index,
            )

    def _kept_bracket_line(self, customer: Customer, lines: list[OrderLine]) -> int | None:
        """Of the sizes bracketed, the one that fits best (closest to the customer's size)."""
        by_product: dict[int, list[OrderLine]] = {}
        for line in lines:
            by_product.setdefault(self.variants[line.variant].product, []).append(line)
        for product_index, group in by_product.items():
            if len(group) > 1:
                product = self.products[product_index]
                target = self._size_rank(customer, product) - product.fit * 0.6
                best = min(group, key=lambda ln: abs(self.variants[ln.variant].size_rank - target))
                return best.index
        return None

    def _return_reason(self, customer: Customer, line: OrderLine, keep: int | None) -> str:
        d = self.draws
        variant = self.variants[line.variant]
        product = self.products[variant.product]
        if (
            keep is not None
            and variant.product == self.variants[self.history.lines[keep].variant].product
        ):
            if line.index == keep:
                return ""
            target = self._size_rank(customer, product) - product.fit * 0.6
            return "too_small" if variant.size_rank < target else "too_large"
        if product.final_sale or self.non_returnable[product.category]:
            return d.weighted(_COMPLAINT_ONLY) if d.chance(0.015) else ""
        if customer.serial_returner:
            chance = 0.8 if product.group == "fashion" else 0.4
            if d.chance(chance):
                if variant.size_rank >= 0 and d.chance(0.5):
                    return "too_small" if d.chance(0.5) else "too_large"
                return d.weighted(_SERIAL_REASONS)
            return ""
        if product.group == "electronics":
            return (
                d.weighted(_ELECTRONICS_REASONS)
                if d.chance(0.05 * customer.return_propensity)
                else ""
            )
        if product.group != "fashion":
            return ""
        if variant.size_rank >= 0:
            fit = (
                variant.size_rank
                - self._size_rank(customer, product)
                + product.fit * 0.6
                + d.normal(0, 0.45)
            )
            if abs(fit) > 0.7 and d.chance(0.85):
                return "too_small" if fit < 0 else "too_large"
            other = 0.15
        else:
            other = 0.2
        if d.chance(min(0.9, other * customer.return_propensity)):
            return d.weighted(_FASHION_OTHER_REASONS)
        return ""

    def _exchange_variant(self, line: OrderLine, reason: str) -> int:
        variant = self.variants[line.variant]
        step = 1 if reason == "too_small" else -1
        for index in self.products[variant.product].variants:
            other = self.variants[index]
            if other.colour == variant.colour and other.size_rank == variant.size_rank + step:
                return other.index
        return -1

    def _return_code(self) -> str:
        while True:
            code = "R" + "".join(RETURN_CODE_ALPHABET[self.draws.integer(0, 32)] for _ in range(9))
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    # -- money back --------------------------------------------------------------------------

    def _refunded(self, order: Order) -> int:
        return sum(r.amount_cents for r in self.refunds_by_order.get(order.index, ()))

    def _refund(self, order: Order, amount: int, reason: str, at: int, request: int) -> None:
        refund = Refund(
            order.index,
            f"ref-{order.number}-{len(self.refunds_by_order.get(order.index, ())) + 1}",
            amount,
            reason,
            at,
            request,
        )
        self.history.refunds.append(refund)
        self.refunds_by_order.setdefault(order.index, []).append(refund)

    def _text(self, key: str, code: str = "") -> str:
        swedish = self.spec.default_language == "sv"
        fee = f"{self.spec.unclaimed_fee_cents / 100:.2f}".replace(".", ",")
        texts = {
            "cancelled": "Annullerad beställning" if swedish else "Peruttu tilaus",
            "unclaimed": (
                f"Oavhämtat paket, hanteringsavgift {fee} €"
                if swedish
                else f"Noutamaton paketti, käsittelymaksu {fee} €"
            ),
            "return": f"Retur {code}" if swedish else f"Palautus {code}",
        }
        return texts[key]


def _hour_of_day(draws: Draws) -> int:
    return draws.index(_HOUR_WEIGHTS) * HOUR


def _poisson(draws: Draws, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, draws.random()
    while product > limit:
        k += 1
        product *= draws.random()
    return k


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, 28))


_HOUR_WEIGHTS = cumulative(HOURS)
_SV_CITY_WEIGHTS = cumulative([c.weight * c.swedish_share for c in CITIES])
_FI_CITY_WEIGHTS = cumulative([c.weight * (1 - c.swedish_share) for c in CITIES])
_ALL_CITY_WEIGHTS = cumulative([c.weight for c in CITIES])
_DELIVERY = Weighted(DELIVERY_SHARES)
_PAYMENT = Weighted(PAYMENT_SHARES)
_CARRIERS = {method: Weighted(pairs) for method, pairs in carrier_data.CARRIERS_BY_METHOD.items()}
_COMPLAINT_ONLY = Weighted(COMPLAINT_ONLY)
_SERIAL_REASONS = Weighted(SERIAL_REASONS)
_ELECTRONICS_REASONS = Weighted(ELECTRONICS_REASONS)
_FASHION_OTHER_REASONS = Weighted(FASHION_OTHER_REASONS)
