"""Names and streets for the demo's customers, by language (Finnish, Swedish, English).

E-mail addresses use reserved example domains (RFC 2606) so that a demo database connected to a
real mail server can never write to a real person.
"""

from __future__ import annotations

FIRST_NAMES = {
    "fi": {
        "f": (
            "Aino Anna Emma Sofia Aada Helmi Venla Ella Maria Johanna Laura Sanna Elina Tiina "
            "Katja Minna Riikka Heidi Satu Päivi Liisa Eeva Noora Jenni Henna Kaisa Hanna Tuula "
            "Pirjo Milla Iida Oona Linnea Saara Kirsi Anu Marika Outi Suvi Jonna"
        ).split(),
        "m": (
            "Mikko Juha Jari Timo Matti Antti Janne Ville Teemu Jukka Petri Markku Pekka Tuomas "
            "Lauri Eetu Onni Leo Elias Oliver Aleksi Joonas Niko Sami Kari Heikki Olli Otto Väinö "
            "Eino Toni Arttu Risto Jussi Harri Tapio Veikko Aapo Ilkka Henri"
        ).split(),
    },
    "sv": {
        "f": (
            "Anna Emma Ida Ellen Elsa Linnea Sara Johanna Maria Sofia Matilda Ebba Alice Wilma "
            "Ulrika Camilla Annika Malin Karin Kristina Jenny Frida Hanna Tove Sanna"
        ).split(),
        "m": (
            "Johan Erik Anders Mikael Fredrik Henrik Jonas Oskar William Elias Lucas Axel Viktor "
            "Emil Kristian Patrik Tom Mats Stefan Niklas Dan Jan Robin Sebastian Kim"
        ).split(),
    },
    "en": {
        "f": "Emily Olivia Grace Charlotte Sarah Hannah Lucy Megan Amelia Chloe".split(),
        "m": "James Thomas Daniel Michael David Oliver Jack Samuel Ryan Benjamin".split(),
    },
}

LAST_NAMES = {
    "fi": (
        "Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen "
        "Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen Salonen Turunen "
        "Salo Laitinen Tuominen Rantanen Karjalainen Jokinen Mattila Savolainen Lahtinen Ahonen "
        "Hiltunen Leinonen Miettinen Pelkonen Kallio Väisänen Ojala Lappalainen Aaltonen "
        "Kettunen Räsänen Peltonen Vainio Partanen Seppälä Manninen Nurmi Hirvonen Koivisto"
    ).split(),
    "sv": (
        "Johansson Eriksson Andersson Karlsson Nyström Lindqvist Lindholm Björkqvist Holmström "
        "Sjöberg Forsman Granlund Nyman Lindström Åberg Backman Sundström Blomqvist Ekholm "
        "Wikström Strand Östman Häggblom Ahlskog Westerlund Grönroos Sandvik Enlund Söderholm"
    ).split(),
    "en": "Smith Brown Taylor Wilson Johnson Walker Harris Clarke Lewis Young".split(),
}

# Streets where people live in flats ("Koulukatu 12 B 34") and in houses ("Pihlajatie 7").
FLAT_STREETS = {
    "fi": (
        "Koulukatu Kirkkokatu Rantakatu Puistokatu Asemakatu Kauppakatu Torikatu Rautatienkatu "
        "Sairaalakatu Kalevankatu Satamakatu Tehtaankatu Sepänkatu Kauppiaankatu Linnankatu"
    ).split(),
    "sv": (
        "Storgatan Skolgatan Kyrkogatan Strandgatan Järnvägsgatan Handelsgatan Hamngatan "
        "Torggatan Sjömansgatan"
    ).split(),
}
HOUSE_STREETS = {
    "fi": (
        "Myllytie Koivukuja Pihlajatie Kuusitie Mäntytie Rinnetie Peltotie Niittytie Kotikuja "
        "Vaahterakuja Haapatie Metsätie Kanervatie Ketunpolku Honkatie"
    ).split(),
    "sv": (
        "Björkvägen Tallvägen Granvägen Ängsvägen Bergsvägen Skogsvägen Rönnvägen Lönngränd "
        "Sjövägen"
    ).split(),
}

EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
MOBILE_PREFIXES = ("40", "41", "44", "45", "50")

_ASCII = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u"})


def email_local_part(first_name: str, last_name: str) -> str:
    """``Päivi Mäkelä`` -> ``paivi.makela`` (what Finns type into an address)."""
    return f"{first_name}.{last_name}".lower().translate(_ASCII)
