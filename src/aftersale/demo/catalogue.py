"""The demo shops' catalogues: categories, products with Finnish (or Swedish) names, variants
with sizes and colours, realistic prices and unit costs, and compatible-accessory links.

Pure data and a seeded generator; no Django. Prices include VAT; unit costs exclude it, so that
the gross margin is ``(net price - unit cost) / net price``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CLOTHES_SIZES = ("XS", "S", "M", "L", "XL")
SHOE_SIZES = tuple(str(size) for size in range(36, 47))
COLOURS = {
    "fi": (
        "musta valkoinen harmaa laivastonsininen beige oliivinvihreä viininpunainen ruskea "
        "vaaleanpunainen sininen"
    ).split(),
    "sv": "svart vit grå marinblå beige olivgrön vinröd brun rosa blå".split(),
}
VAT_RATE = 0.255  # Finland's general rate since 1 September 2024; 24 % before.

# Size advice by fit and language, as a shop writes it for each of its languages.
SIZE_ADVICE = {
    -1: {
        "fi": "Malli on pienikokoinen: jos olet kahden koon välissä, valitse suurempi koko.",
        "sv": "Modellen är liten i storleken: om du är mellan två storlekar, välj den större.",
        "en": "This style runs small: if you are between two sizes, choose the larger one.",
    },
    0: {
        "fi": "Malli on normaalikokoinen: valitse tavallinen kokosi.",
        "sv": "Modellen är normal i storleken: välj din vanliga storlek.",
        "en": "This style is true to size: choose your usual size.",
    },
    1: {
        "fi": "Malli on väljä: jos pidät istuvammasta, valitse kokoa pienempi.",
        "sv": "Modellen är rymlig: om du vill ha den mer åtsittande, välj en storlek mindre.",
        "en": "This style runs large: for a closer fit, choose one size smaller.",
    },
}


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """One category: its group (fashion, electronics, personalised) and how its goods behave."""

    key: str
    name: dict[str, str]
    group: str
    sizing: str  # "clothes", "shoes" or "" (one size)
    price_range: tuple[float, float]
    margin_range: tuple[float, float]
    items: tuple[tuple[str, str], ...]  # (Finnish name, Swedish name)
    non_returnable: str = ""


FASHION_BRANDS = ("Kaamos", "Halla", "Routa", "Lumo", "Saimaa Wear", "Aalto & Koski")
TECH_BRANDS = ("Nordtek", "Kide", "Aurora", "Virta", "Pulssi")
PHONES = (
    "Nordtek Nova 5 128 Gt",
    "Nordtek Nova 5 Pro 256 Gt",
    "Kide S3 128 Gt",
    "Kide S3 Mini 64 Gt",
    "Aurora One 256 Gt",
    "Aurora Lite 64 Gt",
    "Virta X2 128 Gt",
    "Nordtek Nova 4 128 Gt",
)
LAPTOPS = (
    "Nordtek Book 14 i5 16 Gt",
    "Nordtek Book 16 i7 32 Gt",
    "Aurora Air 13 M2",
    "Kide Chromebook 14",
    "Virta Gamer 15 RTX",
)


def _same(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, name.replace(" Gt", " GB")) for name in names)


ROOTS = {
    "fashion": {"fi": "Vaatteet ja kengät", "sv": "Kläder och skor"},
    "electronics": {"fi": "Elektroniikka", "sv": "Elektronik"},
    "personalised": {"fi": "Lahjat", "sv": "Presenter"},
}

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "dresses",
        {"fi": "Mekot", "sv": "Klänningar"},
        "fashion",
        "clothes",
        (39.9, 129.9),
        (0.58, 0.66),
        (
            ("Pellavamekko", "Linneklänning"),
            ("Neulemekko", "Stickad klänning"),
            ("Kietaisumekko", "Omlottklänning"),
            ("Paitamekko", "Skjortklänning"),
            ("Juhlamekko", "Festklänning"),
            ("Trikoomekko", "Trikåklänning"),
            ("Samettimekko", "Sammetsklänning"),
            ("Maksimekko", "Maxiklänning"),
        ),
    ),
    CategorySpec(
        "shirts",
        {"fi": "Paidat", "sv": "Skjortor och tröjor"},
        "fashion",
        "clothes",
        (19.9, 79.9),
        (0.55, 0.65),
        (
            ("Oxford-kauluspaita", "Oxfordskjorta"),
            ("Flanellipaita", "Flanellskjorta"),
            ("Pellavapaita", "Linneskjorta"),
            ("Farkkupaita", "Jeansskjorta"),
            ("Luomupuuvillainen T-paita", "T-shirt i ekologisk bomull"),
            ("Pikeepaita", "Pikétröja"),
            ("Neulepusero", "Stickad tröja"),
            ("Huppari", "Huvtröja"),
        ),
    ),
    CategorySpec(
        "trousers",
        {"fi": "Housut", "sv": "Byxor"},
        "fashion",
        "clothes",
        (39.9, 119.9),
        (0.55, 0.63),
        (
            ("Suorat farkut", "Raka jeans"),
            ("Slim-farkut", "Slim jeans"),
            ("Chino-housut", "Chinos"),
            ("Leveälahkeiset housut", "Vida byxor"),
            ("Pellavahousut", "Linnebyxor"),
            ("Cargohousut", "Cargobyxor"),
            ("Collegehousut", "Mjukisbyxor"),
        ),
    ),
    CategorySpec(
        "shoes",
        {"fi": "Kengät", "sv": "Skor"},
        "fashion",
        "shoes",
        (49.9, 179.9),
        (0.52, 0.6),
        (
            ("Nilkkurit", "Ankelboots"),
            ("Tennarit", "Sneakers"),
            ("Talvisaappaat", "Vinterstövlar"),
            ("Juoksukengät", "Löparskor"),
            ("Nahkakengät", "Läderskor"),
            ("Kumisaappaat", "Gummistövlar"),
            ("Loaferit", "Loafers"),
        ),
    ),
    CategorySpec(
        "outerwear",
        {"fi": "Takit", "sv": "Jackor och rockar"},
        "fashion",
        "clothes",
        (79.9, 299.9),
        (0.55, 0.63),
        (
            ("Villakangastakki", "Ullrock"),
            ("Untuvatakki", "Dunjacka"),
            ("Kuoritakki", "Skaljacka"),
            ("Parkatakki", "Parkas"),
            ("Välikausitakki", "Vårjacka"),
            ("Trenssitakki", "Trenchcoat"),
        ),
    ),
    CategorySpec(
        "underwear",
        {"fi": "Alusvaatteet ja sukat", "sv": "Underkläder och strumpor"},
        "fashion",
        "clothes",
        (12.9, 59.9),
        (0.6, 0.68),
        (
            ("Bokserit 3 kpl", "Boxerkalsonger 3 st"),
            ("Alushousut 5 kpl", "Trosor 5 st"),
            ("Urheiluliivit", "Sport-bh"),
            ("Merinovillakerrasto", "Underställ i merinoull"),
            ("Villasukat", "Ullstrumpor"),
        ),
        non_returnable="hygiene",
    ),
    CategorySpec(
        "accessories",
        {"fi": "Asusteet", "sv": "Accessoarer"},
        "fashion",
        "",
        (14.9, 89.9),
        (0.58, 0.64),
        (
            ("Merinovillapipo", "Mössa i merinoull"),
            ("Nahkavyö", "Läderbälte"),
            ("Kaulahuivi", "Halsduk"),
            ("Sormikkaat", "Fingervantar"),
            ("Nahkalaukku", "Läderväska"),
        ),
    ),
    CategorySpec(
        "phones",
        {"fi": "Puhelimet", "sv": "Telefoner"},
        "electronics",
        "",
        (199.0, 1099.0),
        (0.12, 0.2),
        _same(*PHONES),
    ),
    CategorySpec(
        "headphones",
        {"fi": "Kuulokkeet", "sv": "Hörlurar"},
        "electronics",
        "",
        (29.9, 349.0),
        (0.22, 0.32),
        (
            ("Pulssi Air langattomat nappikuulokkeet", "Pulssi Air trådlösa hörlurar"),
            ("Pulssi Air Pro vastamelukuulokkeet", "Pulssi Air Pro brusreducerande hörlurar"),
            ("Kide Buds nappikuulokkeet", "Kide Buds hörlurar"),
            ("Aurora Studio sankakuulokkeet", "Aurora Studio over-ear-hörlurar"),
            ("Virta Sport urheilukuulokkeet", "Virta Sport sporthörlurar"),
            ("Nordtek ANC 700 sankakuulokkeet", "Nordtek ANC 700 hörlurar"),
        ),
    ),
    CategorySpec(
        "laptops",
        {"fi": "Kannettavat tietokoneet", "sv": "Bärbara datorer"},
        "electronics",
        "",
        (399.0, 1899.0),
        (0.1, 0.18),
        _same(*LAPTOPS),
    ),
    CategorySpec(
        "chargers",
        {"fi": "Laturit ja kaapelit", "sv": "Laddare och kablar"},
        "electronics",
        "",
        (9.9, 59.9),
        (0.56, 0.64),
        (
            ("USB-C-laturi 20 W", "USB-C-laddare 20 W"),
            ("USB-C-laturi 65 W GaN", "USB-C-laddare 65 W GaN"),
            ("Langaton latausalusta 15 W", "Trådlös laddplatta 15 W"),
            ("USB-C-kaapeli 1 m", "USB-C-kabel 1 m"),
            ("USB-C-kaapeli 2 m", "USB-C-kabel 2 m"),
            ("Autolaturi USB-C", "Billaddare USB-C"),
            ("Varavirtalähde 10 000 mAh", "Powerbank 10 000 mAh"),
            ("Läppärilaturi USB-C 100 W", "Laddare för bärbar dator USB-C 100 W"),
        ),
    ),
    CategorySpec(
        "cases",
        {"fi": "Suojakuoret ja laukut", "sv": "Skal och väskor"},
        "electronics",
        "",
        (14.9, 59.9),
        (0.58, 0.66),
        tuple(
            (f"{kind_fi} {phone}", f"{kind_sv} {phone.replace(' Gt', ' GB')}")
            for phone in PHONES
            for kind_fi, kind_sv in (
                ("Silikonikuori", "Silikonskal"),
                ("Lompakkokotelo", "Plånboksfodral"),
                ("Panssarilasi", "Skärmskydd i härdat glas"),
            )
        )
        + (
            ("Läppärin suojatasku 14″", "Datorfodral 14″"),
            ("Läppärin suojatasku 16″", "Datorfodral 16″"),
            ("Läppärireppu", "Datorryggsäck"),
        ),
    ),
    CategorySpec(
        "watches",
        {"fi": "Älykellot", "sv": "Smarta klockor"},
        "electronics",
        "",
        (99.0, 449.0),
        (0.2, 0.27),
        (
            ("Pulssi Watch 3", "Pulssi Watch 3"),
            ("Pulssi Watch 3 LTE", "Pulssi Watch 3 LTE"),
            ("Kide Fit urheilukello", "Kide Fit sportklocka"),
            ("Aurora Watch Classic", "Aurora Watch Classic"),
            ("Virta Trail GPS-kello", "Virta Trail GPS-klocka"),
        ),
    ),
    CategorySpec(
        "engraved",
        {"fi": "Kaiverretut lahjat", "sv": "Graverade presenter"},
        "personalised",
        "",
        (19.9, 69.9),
        (0.55, 0.63),
        (
            ("Kaiverrettu avaimenperä", "Graverad nyckelring"),
            ("Kaiverrettu leikkuulauta", "Graverad skärbräda"),
            ("Nimikoitu kylpypyyhe", "Badlakan med namn"),
            ("Kaiverretut viinilasit 2 kpl", "Graverade vinglas 2 st"),
            ("Kaiverrettu kaulakoru", "Graverat halsband"),
        ),
        non_returnable="personalised",
    ),
)
CATEGORY_BY_KEY = {spec.key: spec for spec in CATEGORIES}


@dataclass(slots=True)
class Product:
    index: int
    external_id: str
    name: str
    brand: str
    category: str  # CategorySpec.key
    group: str
    description: str
    size_advice: str  # in the shop's default language
    size_advice_translations: dict[str, str]  # the other languages
    final_sale: bool
    fit: int  # -1 runs small, 0 true to size, +1 runs large (sized fashion only)
    popularity: float
    variants: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Variant:
    index: int
    product: int
    external_id: str
    sku: str
    size: str
    size_rank: int  # position in the size scale; -1 when the product has one size
    colour: str
    price_cents: int
    unit_cost_cents: int
    stock: int


@dataclass(slots=True)
class Catalogue:
    categories: list[CategorySpec]
    products: list[Product]
    variants: list[Variant]
    accessory_links: list[tuple[int, int, int]]  # (product, accessory, position)
    language: str

    def products_in(self, category: str) -> list[Product]:
        return [product for product in self.products if product.category == category]


def _price(rng: np.random.Generator, low: float, high: float) -> int:
    """A shelf price in cents that ends in ,90 (or ,00 above 150 €)."""
    euros = float(np.exp(rng.uniform(np.log(low), np.log(high))))
    if euros >= 150:
        return int(round(euros / 10) * 10 - 1) * 100
    return int(euros) * 100 + 90


def build_catalogue(
    rng: np.random.Generator,
    *,
    groups: tuple[str, ...],
    language: str,
    sku_prefix: str,
    products_per_item: int = 2,
) -> Catalogue:
    """Products for every category of ``groups``; ``products_per_item`` brands per item name."""
    specs = [spec for spec in CATEGORIES if spec.group in groups]
    products: list[Product] = []
    variants: list[Variant] = []
    lang = 1 if language == "sv" else 0
    colours = COLOURS["sv" if language == "sv" else "fi"]
    for spec in specs:
        for item in spec.items:
            item_name = item[lang]
            if spec.group == "fashion":
                brands = list(rng.choice(FASHION_BRANDS, size=products_per_item, replace=False))
            elif spec.key in ("phones", "laptops", "watches", "headphones"):
                brands = [item_name.split()[0]]
            else:
                brands = [str(rng.choice(TECH_BRANDS))] if spec.group == "electronics" else [""]
            for brand in brands:
                index = len(products)
                if spec.group == "fashion":
                    name = f"{brand} {item_name}"
                else:
                    name = item_name
                fit = int(rng.choice((-1, 0, 1), p=(0.25, 0.55, 0.2))) if spec.sizing else 0
                final_sale = bool(
                    spec.group == "fashion" and not spec.non_returnable and rng.random() < 0.06
                )
                product = Product(
                    index=index,
                    external_id=f"{sku_prefix.lower()}-p{index + 1:04d}",
                    name=name,
                    brand=brand,
                    category=spec.key,
                    group=spec.group,
                    description=name,
                    size_advice=SIZE_ADVICE[fit][language] if spec.sizing else "",
                    size_advice_translations=(
                        {code: text for code, text in SIZE_ADVICE[fit].items() if code != language}
                        if spec.sizing
                        else {}
                    ),
                    final_sale=final_sale,
                    fit=fit,
                    popularity=0.0,
                )
                price = _price(rng, *spec.price_range)
                margin = rng.uniform(*spec.margin_range)
                net = price / (1 + VAT_RATE)
                unit_cost = int(round(net * (1 - margin)))
                sizes: tuple[str, ...] = ("",)
                if spec.sizing == "clothes":
                    sizes = CLOTHES_SIZES
                elif spec.sizing == "shoes":
                    sizes = SHOE_SIZES
                n_colours = 1 if spec.group == "personalised" else int(rng.integers(1, 4))
                palette = rng.choice(len(colours), size=n_colours, replace=False)
                for colour_index in sorted(int(c) for c in palette):
                    for rank, size in enumerate(sizes):
                        v_index = len(variants)
                        sku = f"{sku_prefix}-{index + 1:04d}-{colour_index:02d}" + (
                            f"-{size}" if size else ""
                        )
                        variants.append(
                            Variant(
                                index=v_index,
                                product=index,
                                external_id=f"{sku_prefix.lower()}-v{v_index + 1:05d}",
                                sku=sku,
                                size=size,
                                size_rank=rank if size else -1,
                                colour=colours[colour_index]
                                if spec.group != "personalised"
                                else "",
                                price_cents=price,
                                unit_cost_cents=unit_cost,
                                stock=int(rng.integers(0, 60)),
                            )
                        )
                        product.variants.append(v_index)
                products.append(product)
    # Popularity: a few best sellers per category (Zipf-like), in a random order.
    for spec in specs:
        members = [p for p in products if p.category == spec.key]
        ranks = rng.permutation(len(members))
        for product, rank in zip(members, ranks, strict=True):
            product.popularity = 1.0 / (rank + 1) ** 0.9
    links = _accessory_links(rng, products, language)
    return Catalogue(specs, products, variants, links, language)


def _accessory_links(
    rng: np.random.Generator, products: list[Product], language: str
) -> list[tuple[int, int, int]]:
    """Phones -> their own cases, chargers, headphones; laptops -> sleeves, chargers, headphones."""
    by_category: dict[str, list[Product]] = {}
    for product in products:
        by_category.setdefault(product.category, []).append(product)
    if "phones" not in by_category:
        return []
    cases = by_category.get("cases", [])
    chargers = by_category.get("chargers", [])
    headphones = by_category.get("headphones", [])
    links: list[tuple[int, int, int]] = []
    for device in by_category.get("phones", []) + by_category.get("laptops", []):
        model = device.name.replace(" GB", " Gt")
        if device.category == "phones":
            own = [c for c in cases if c.name.replace(" GB", " Gt").endswith(model)]
            power = [c for c in chargers if "100 W" not in c.name and "65 W" not in c.name]
        else:
            inches = "16" if " 16 " in f" {model} " or "15" in model else "14"
            own = [c for c in cases if c.name.endswith(inches + "″")]
            own += [c for c in cases if "reppu" in c.name or "ryggsäck" in c.name]
            power = [c for c in chargers if "65 W" in c.name or "100 W" in c.name]
        picks = own[:3]
        picks += list(rng.choice(power, size=min(2, len(power)), replace=False)) if power else []
        picks += list(rng.choice(headphones, size=min(2, len(headphones)), replace=False))
        seen: set[int] = set()
        for accessory in picks:
            if accessory.index in seen or accessory.index == device.index:
                continue
            seen.add(accessory.index)
            links.append((device.index, accessory.index, len(seen) - 1))
    return links
