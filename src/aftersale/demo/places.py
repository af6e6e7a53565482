"""Finnish cities for the demo: real postcodes with their post-office city, centre coordinates.

Each city has a weight (how many of the shop's customers live there) and the share of its
customers who speak Swedish, so that Swedish speakers live where they really do (Ostrobothnia,
Uusimaa, the Turku archipelago).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class City:
    name: str
    latitude: float
    longitude: float
    weight: float
    swedish_share: float
    postcodes: tuple[str, ...]


CITIES: tuple[City, ...] = (
    City(
        "Helsinki",
        60.1699,
        24.9384,
        22.0,
        0.06,
        (
            "00100",
            "00120",
            "00130",
            "00140",
            "00150",
            "00160",
            "00170",
            "00180",
            "00200",
            "00250",
            "00260",
            "00500",
            "00530",
            "00550",
            "00560",
            "00610",
            "00700",
            "00810",
            "00840",
            "00900",
            "00930",
            "00980",
        ),
    ),
    City(
        "Espoo",
        60.2055,
        24.6559,
        10.0,
        0.07,
        ("02100", "02130", "02150", "02180", "02200", "02230", "02320", "02600", "02650", "02760"),
    ),
    City(
        "Vantaa",
        60.2934,
        25.0378,
        8.0,
        0.02,
        ("01300", "01350", "01360", "01450", "01510", "01600"),
    ),
    City("Kauniainen", 60.2105, 24.7286, 0.4, 0.33, ("02700",)),
    City("Kirkkonummi", 60.1238, 24.4386, 1.2, 0.16, ("02400",)),
    City("Sipoo", 60.3769, 25.2718, 0.6, 0.3, ("04130",)),
    City("Porvoo", 60.3923, 25.6651, 1.5, 0.28, ("06100", "06150", "06400")),
    City("Loviisa", 60.4568, 26.2254, 0.4, 0.4, ("07900",)),
    City("Inkoo", 60.0458, 24.0058, 0.2, 0.55, ("10210",)),
    City(
        "Turku",
        60.4518,
        22.2666,
        6.0,
        0.05,
        ("20100", "20200", "20250", "20300", "20500", "20520", "20700", "20810"),
    ),
    City("Parainen", 60.3036, 22.3006, 0.5, 0.55, ("21600",)),
    City(
        "Tampere",
        61.4978,
        23.7610,
        8.0,
        0.0,
        ("33100", "33200", "33210", "33500", "33540", "33580", "33720", "33800"),
    ),
    City("Hämeenlinna", 60.9959, 24.4643, 2.0, 0.0, ("13100", "13200", "13500")),
    City("Lahti", 60.9827, 25.6612, 3.5, 0.0, ("15100", "15110", "15140", "15500", "15610")),
    City("Kotka", 60.4664, 26.9458, 1.6, 0.0, ("48100", "48600")),
    City("Lappeenranta", 61.0587, 28.1887, 2.2, 0.0, ("53100", "53500", "53850")),
    City("Mikkeli", 61.6886, 27.2723, 1.5, 0.0, ("50100", "50130")),
    City("Pori", 61.4851, 21.7975, 2.3, 0.01, ("28100", "28130", "28400")),
    City("Jyväskylä", 62.2426, 25.7473, 4.0, 0.0, ("40100", "40200", "40320", "40520", "40700")),
    City("Kuopio", 62.8924, 27.6770, 3.3, 0.0, ("70100", "70110", "70200", "70500", "70800")),
    City("Joensuu", 62.6010, 29.7636, 2.2, 0.0, ("80100", "80110", "80200")),
    City("Seinäjoki", 62.7903, 22.8403, 1.8, 0.01, ("60100", "60200", "60320")),
    City("Vaasa", 63.0960, 21.6158, 2.2, 0.23, ("65100", "65200", "65320", "65350")),
    City("Mustasaari", 63.1114, 21.6808, 0.7, 0.7, ("65610",)),
    City("Närpiö", 62.4730, 21.3370, 0.3, 0.9, ("64200",)),
    City("Kristiinankaupunki", 62.2747, 21.3760, 0.2, 0.55, ("64100",)),
    City("Kokkola", 63.8385, 23.1307, 1.5, 0.13, ("67100", "67200")),
    City("Pietarsaari", 63.6750, 22.7028, 0.6, 0.55, ("68600", "68620")),
    City("Oulu", 65.0121, 25.4651, 5.0, 0.0, ("90100", "90120", "90500", "90570", "90650")),
    City("Rovaniemi", 66.5039, 25.7294, 1.7, 0.0, ("96100", "96200", "96400")),
)

# The postcode -> city table the demo relies on (every customer address comes from it).
POSTCODE_CITY: dict[str, str] = {code: city.name for city in CITIES for code in city.postcodes}
