"""The flows every shop starts with and their texts in Finnish, Swedish and English: the
transactional ones on, the marketing ones (a review request, a win-back) off until the merchant
turns them on. ``install_builtin_flows`` in services.py creates them per shop.

Marketing texts carry no unsubscribe link of their own: the engine ends every marketing e-mail
with the shop's identity and an unsubscribe link (outbox.marketing_footer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from aftersale.timeline import types

HELLO = {
    "fi": "Hei{% if customer_first_name %} {{ customer_first_name }}{% endif %},",
    "sv": "Hej{% if customer_first_name %} {{ customer_first_name }}{% endif %},",
    "en": "Hi{% if customer_first_name %} {{ customer_first_name }}{% endif %},",
}
SIGNATURE = {
    "fi": "Ystävällisin terveisin\n{{ shop_name }}{% if shop_email %}\n{{ shop_email }}{% endif %}",
    "sv": "Vänliga hälsningar\n{{ shop_name }}{% if shop_email %}\n{{ shop_email }}{% endif %}",
    "en": "Best regards,\n{{ shop_name }}{% if shop_email %}\n{{ shop_email }}{% endif %}",
}
ORDER_LINES = "{% for line in order_lines %}\n- {{ line.quantity }} × {{ line.name }}{% endfor %}"
OPENING_HOURS = "{% for line in pickup_opening_hours %}\n{{ line }}{% endfor %}"
REVIEW_PRODUCTS = "{% for name in review_products %}\n- {{ name }}{% endfor %}"


@dataclass(frozen=True)
class BuiltinTemplate:
    key: str
    name: str
    subject: dict[str, str]
    body: dict[str, str]

    def full_body(self, language: str) -> str:
        return f"{HELLO[language]}\n\n{self.body[language].strip()}\n\n{SIGNATURE[language]}\n"


@dataclass(frozen=True)
class BuiltinStep:
    type: str
    template_key: str = ""
    wait: timedelta | None = None
    wait_anchor: str = ""
    condition: str = ""


@dataclass(frozen=True)
class BuiltinFlow:
    key: str
    name: str
    trigger_type: str
    steps: list[BuiltinStep]
    flow_filter: list[str] = field(default_factory=list)
    exit_events: list[str] = field(default_factory=list)
    kind: str = "transactional"
    enabled: bool = True
    trigger_filter: dict = field(default_factory=dict)


TEMPLATES = [
    BuiltinTemplate(
        key="order_thanks",
        name="Order thanks",
        subject={
            "fi": "Kiitos tilauksestasi {{ order_number }}",
            "sv": "Tack för din beställning {{ order_number }}",
            "en": "Thank you for your order {{ order_number }}",
        },
        body={
            "fi": "kiitos tilauksestasi! Olemme vastaanottaneet sen ja alamme valmistella sitä "
            "lähetettäväksi.\n\nTilausnumero: {{ order_number }}\nYhteensä: {{ order_total }}"
            + ORDER_LINES
            + "\n\nIlmoitamme sinulle heti, kun paketti on matkalla.",
            "sv": "tack för din beställning! Vi har tagit emot den och börjar förbereda den för "
            "leverans.\n\nOrdernummer: {{ order_number }}\nTotalt: {{ order_total }}"
            + ORDER_LINES
            + "\n\nVi meddelar dig så snart paketet är på väg.",
            "en": "thank you for your order! We have received it and are getting it ready to "
            "ship.\n\nOrder number: {{ order_number }}\nTotal: {{ order_total }}"
            + ORDER_LINES
            + "\n\nWe will let you know as soon as your parcel is on its way.",
        },
    ),
    BuiltinTemplate(
        key="shipped",
        name="Order shipped",
        subject={
            "fi": "Tilauksesi {{ order_number }} on matkalla",
            "sv": "Din beställning {{ order_number }} är på väg",
            "en": "Your order {{ order_number }} is on its way",
        },
        body={
            "fi": "hyviä uutisia: tilauksesi {{ order_number }} on lähtenyt matkaan"
            "{% if carrier %} ({{ carrier }}){% endif %}.\n\n"
            "Seuraa pakettiasi täällä: {{ tracking_url }}"
            "{% if tracking_number %}\nSeurantatunnus: {{ tracking_number }}{% endif %}\n\n"
            "Kerromme sinulle, kun paketti on perillä.",
            "sv": "goda nyheter: din beställning {{ order_number }} har skickats"
            "{% if carrier %} med {{ carrier }}{% endif %}.\n\n"
            "Följ ditt paket här: {{ tracking_url }}"
            "{% if tracking_number %}\nSpårningsnummer: {{ tracking_number }}{% endif %}\n\n"
            "Vi meddelar dig när paketet har kommit fram.",
            "en": "good news: your order {{ order_number }} has been shipped"
            "{% if carrier %} with {{ carrier }}{% endif %}.\n\n"
            "Follow your parcel here: {{ tracking_url }}"
            "{% if tracking_number %}\nTracking number: {{ tracking_number }}{% endif %}\n\n"
            "We will let you know when it has arrived.",
        },
    ),
    BuiltinTemplate(
        key="ready_for_pickup",
        name="Ready for pickup",
        subject={
            "fi": "Pakettisi odottaa noutoa: {{ pickup_point_name }}",
            "sv": "Ditt paket väntar på att hämtas: {{ pickup_point_name }}",
            "en": "Your parcel is ready for pickup at {{ pickup_point_name }}",
        },
        body={
            "fi": "pakettisi{% if order_number %} (tilaus {{ order_number }}){% endif %} on "
            "saapunut noutopisteeseen ja odottaa sinua.\n\n"
            "Noutopiste: {{ pickup_point_name }}\nOsoite: {{ pickup_point_address }}"
            "{% if held_until %}\nNouda paketti viimeistään {{ held_until }} "
            "({{ held_until_weekday }}).{% endif %}"
            "{% if pickup_opening_hours %}\n\nAukioloajat:" + OPENING_HOURS + "{% endif %}"
            "\n\nOta mukaan henkilöllisyystodistus tai kuljetusyhtiön noutokoodi."
            "\nSeuraa pakettia: {{ tracking_url }}",
            "sv": "ditt paket{% if order_number %} (beställning {{ order_number }}){% endif %} "
            "har kommit fram till utlämningsstället och väntar på dig.\n\n"
            "Utlämningsställe: {{ pickup_point_name }}\nAdress: {{ pickup_point_address }}"
            "{% if held_until %}\nHämta paketet senast {{ held_until_weekday }} "
            "{{ held_until }}.{% endif %}"
            "{% if pickup_opening_hours %}\n\nÖppettider:" + OPENING_HOURS + "{% endif %}"
            "\n\nTa med en giltig legitimation eller fraktbolagets hämtningskod."
            "\nFölj paketet: {{ tracking_url }}",
            "en": "your parcel{% if order_number %} (order {{ order_number }}){% endif %} has "
            "arrived at the pickup point and is waiting for you.\n\n"
            "Pickup point: {{ pickup_point_name }}\nAddress: {{ pickup_point_address }}"
            "{% if held_until %}\nPlease pick it up by {{ held_until_weekday }}, "
            "{{ held_until }}.{% endif %}"
            "{% if pickup_opening_hours %}\n\nOpening hours:" + OPENING_HOURS + "{% endif %}"
            "\n\nBring an ID or the pickup code you received from the carrier."
            "\nTrack your parcel: {{ tracking_url }}",
        },
    ),
    BuiltinTemplate(
        key="pickup_reminder",
        name="Pickup reminder",
        subject={
            "fi": "Muistutus: pakettisi odottaa noutoa {{ held_until }} asti",
            "sv": "Påminnelse: ditt paket väntar på dig till {{ held_until }}",
            "en": "Reminder: your parcel is waiting for you until {{ held_until }}",
        },
        body={
            "fi": "pakettisi odottaa yhä noutopisteessä {{ pickup_point_name }} "
            "({{ pickup_point_address }}). Noutoaikaa on jäljellä {{ days_left }} "
            "päivä{{ days_left|pluralize:'ä' }}, {{ held_until }} asti ({{ held_until_weekday }}). "
            "Sen jälkeen paketti palautuu meille.\n\nSeuraa pakettia: {{ tracking_url }}",
            "sv": "ditt paket väntar fortfarande på {{ pickup_point_name }} "
            "({{ pickup_point_address }}). Du har {{ days_left }} "
            "dag{{ days_left|pluralize:'ar' }} kvar att hämta det, till {{ held_until_weekday }} "
            "{{ held_until }}. Därefter skickas paketet tillbaka till oss."
            "\n\nFölj paketet: {{ tracking_url }}",
            "en": "your parcel is still waiting at {{ pickup_point_name }} "
            "({{ pickup_point_address }}). You have {{ days_left }} "
            "day{{ days_left|pluralize }} left to pick it up, until {{ held_until_weekday }}, "
            "{{ held_until }}. After that it will be returned to us."
            "\n\nTrack your parcel: {{ tracking_url }}",
        },
    ),
    BuiltinTemplate(
        key="pickup_last_call",
        name="Pickup reminder, last day",
        subject={
            "fi": "Viimeinen muistutus: nouda pakettisi viimeistään {{ held_until }}",
            "sv": "Sista påminnelsen: hämta ditt paket senast {{ held_until }}",
            "en": "Last reminder: please pick up your parcel by {{ held_until }}",
        },
        body={
            "fi": "pakettisi odottaa noutopisteessä {{ pickup_point_name }} "
            "({{ pickup_point_address }}) enää {{ held_until }} asti ({{ held_until_weekday }}). "
            "Jos pakettia ei noudeta, se palautuu meille, emmekä voi toimittaa tilaustasi."
            "{% if pickup_opening_hours %}\n\nAukioloajat:" + OPENING_HOURS + "{% endif %}"
            "\n\nSeuraa pakettia: {{ tracking_url }}",
            "sv": "ditt paket väntar på {{ pickup_point_name }} ({{ pickup_point_address }}) "
            "bara till {{ held_until_weekday }} {{ held_until }}. Om det inte hämtas skickas "
            "det tillbaka till oss och vi kan inte leverera din beställning."
            "{% if pickup_opening_hours %}\n\nÖppettider:" + OPENING_HOURS + "{% endif %}"
            "\n\nFölj paketet: {{ tracking_url }}",
            "en": "your parcel at {{ pickup_point_name }} ({{ pickup_point_address }}) is held "
            "only until {{ held_until_weekday }}, {{ held_until }}. If it is not picked up, "
            "it will be returned to us and we cannot deliver your order."
            "{% if pickup_opening_hours %}\n\nOpening hours:" + OPENING_HOURS + "{% endif %}"
            "\n\nTrack your parcel: {{ tracking_url }}",
        },
    ),
    BuiltinTemplate(
        key="return_registered",
        name="Return registered",
        subject={
            "fi": "Palautuksesi {{ return_code }} on rekisteröity",
            "sv": "Din retur {{ return_code }} är registrerad",
            "en": "Your return {{ return_code }} has been registered",
        },
        body={
            "fi": "olemme vastaanottaneet palautuspyyntösi"
            "{% if order_number %} tilaukselle {{ order_number }}{% endif %}.\n\n"
            "Palautustunnus: {{ return_code }}\n\n"
            "Käsittelemme pyynnön pian ja kerromme sinulle seuraavat vaiheet.",
            "sv": "vi har tagit emot din returbegäran"
            "{% if order_number %} för beställning {{ order_number }}{% endif %}.\n\n"
            "Returkod: {{ return_code }}\n\n"
            "Vi behandlar den snart och berättar vad som händer härnäst.",
            "en": "we have received your return request"
            "{% if order_number %} for order {{ order_number }}{% endif %}.\n\n"
            "Return code: {{ return_code }}\n\n"
            "We will review it shortly and let you know the next steps.",
        },
    ),
    BuiltinTemplate(
        key="return_approved",
        name="Return approved",
        subject={
            "fi": "Palautuksesi {{ return_code }} on hyväksytty",
            "sv": "Din retur {{ return_code }} är godkänd",
            "en": "Your return {{ return_code }} has been approved",
        },
        body={
            "fi": "palautuksesi {{ return_code }} on hyväksytty. Pakkaa tuotteet huolellisesti "
            "ja lähetä ne meille. Merkitse palautustunnus {{ return_code }} pakettiin tai laita "
            "palautuslomake mukaan.\n\nIlmoitamme sinulle, kun paketti on saapunut.",
            "sv": "din retur {{ return_code }} är godkänd. Packa varorna omsorgsfullt och "
            "skicka dem till oss. Märk paketet med returkoden {{ return_code }} eller lägg med "
            "retursedeln.\n\nVi meddelar dig när paketet har kommit fram.",
            "en": "your return {{ return_code }} has been approved. Please pack the items "
            "carefully and send them back to us. Mark the parcel with the return code "
            "{{ return_code }} or include the return slip.\n\n"
            "We will let you know when the parcel has arrived.",
        },
    ),
    BuiltinTemplate(
        key="return_received",
        name="Return received",
        subject={
            "fi": "Palautuksesi {{ return_code }} on saapunut",
            "sv": "Vi har tagit emot din retur {{ return_code }}",
            "en": "We have received your return {{ return_code }}",
        },
        body={
            "fi": "palauttamasi tuotteet ovat saapuneet meille. Tarkastamme ne ja käsittelemme "
            "palautuksesi mahdollisimman pian.",
            "sv": "dina returnerade varor har kommit fram till oss. Vi kontrollerar dem och "
            "behandlar din retur så snart som möjligt.",
            "en": "the items you returned have arrived. We will inspect them and complete your "
            "return as soon as possible.",
        },
    ),
    BuiltinTemplate(
        key="return_refunded",
        name="Return refunded",
        subject={
            "fi": "Hyvitys palautuksesta {{ return_code }} on maksettu",
            "sv": "Återbetalningen för din retur {{ return_code }} är gjord",
            "en": "Your refund for return {{ return_code }} is on its way",
        },
        body={
            "fi": "olemme maksaneet hyvityksen{% if return_refund %} {{ return_refund }}"
            "{% endif %} palautuksesta {{ return_code }}. Maksutavasta ja pankista riippuen "
            "rahojen näkyminen tililläsi voi kestää muutaman päivän.\n\n"
            "Kiitos, että asioit kanssamme.",
            "sv": "vi har betalat tillbaka{% if return_refund %} {{ return_refund }}"
            "{% endif %} för returen {{ return_code }}. Beroende på betalsätt och bank kan det "
            "ta några dagar innan pengarna syns på ditt konto.\n\nTack för att du handlar hos oss.",
            "en": "we have refunded{% if return_refund %} {{ return_refund }}{% endif %} for "
            "return {{ return_code }}. Depending on your payment method and bank, it may take a "
            "few days before the money shows on your account.\n\nThank you for shopping with us.",
        },
    ),
]

MARKETING_TEMPLATES = [
    BuiltinTemplate(
        key="review_request",
        name="Review request",
        subject={
            "fi": "Mitä pidit tilauksestasi {{ order_number }}?",
            "sv": "Vad tyckte du om din beställning {{ order_number }}?",
            "en": "How did you like your order {{ order_number }}?",
        },
        body={
            "fi": "{% if parcel_was_late %}pahoittelemme, että pakettisi saapui myöhässä. "
            "{% endif %}toivottavasti olet ehtinyt kokeilla tilaamiasi tuotteita:"
            + REVIEW_PRODUCTS
            + "\n\nKertoisitko muille asiakkaille, mitä pidit? Arvion kirjoittaminen vie "
            "minuutin, eikä siihen tarvita salasanaa:\n{{ review_url }}\n\n"
            "Julkaisemme kaikki arviot, myös kriittiset: näin tarkistamme arviot "
            "{{ review_policy_url }}",
            "sv": "{% if parcel_was_late %}vi ber om ursäkt för att ditt paket kom fram sent. "
            "{% endif %}vi hoppas att du har hunnit prova det du beställde:"
            + REVIEW_PRODUCTS
            + "\n\nVill du berätta för andra kunder vad du tycker? Det tar en minut att "
            "skriva ett omdöme och du behöver inget lösenord:\n{{ review_url }}\n\n"
            "Vi publicerar alla omdömen, även kritiska: så här granskar vi omdömen "
            "{{ review_policy_url }}",
            "en": "{% if parcel_was_late %}we are sorry your parcel was late. {% endif %}"
            "we hope you have had time to try what you ordered:"
            + REVIEW_PRODUCTS
            + "\n\nWould you tell other customers what you think? Writing a review takes a "
            "minute and needs no password:\n{{ review_url }}\n\n"
            "We publish every review, critical ones too: how we check reviews "
            "{{ review_policy_url }}",
        },
    ),
    BuiltinTemplate(
        key="review_reminder",
        name="Review request reminder",
        subject={
            "fi": "Muistutus: arvioisitko tilauksesi {{ order_number }}?",
            "sv": "Påminnelse: vill du recensera din beställning {{ order_number }}?",
            "en": "Reminder: would you review your order {{ order_number }}?",
        },
        body={
            "fi": "kysyimme hiljattain, mitä pidit tilaamistasi tuotteista:"
            + REVIEW_PRODUCTS
            + "\n\nJos ehdit, kirjoita arvio tästä: {{ review_url }}\n\n"
            "Tämä on ainoa muistutus, emmekä kysy tästä tilauksesta enää.",
            "sv": "vi frågade nyligen vad du tyckte om det du beställde:"
            + REVIEW_PRODUCTS
            + "\n\nOm du hinner, skriv ett omdöme här: {{ review_url }}\n\n"
            "Det här är den enda påminnelsen, vi frågar inte mer om den här beställningen.",
            "en": "we recently asked what you think of what you ordered:"
            + REVIEW_PRODUCTS
            + "\n\nIf you have a minute, write a review here: {{ review_url }}\n\n"
            "This is the only reminder; we will not ask about this order again.",
        },
    ),
    BuiltinTemplate(
        key="win_back",
        name="Win-back",
        subject={
            "fi": "Kaipasimme sinua – katso, mitä {{ shop_name }} on saanut uutta",
            "sv": "Vi har saknat dig – se vad som är nytt hos {{ shop_name }}",
            "en": "We miss you – see what is new at {{ shop_name }}",
        },
        body={
            "fi": "edellisestä tilauksestasi on jo tovi. Valikoimaamme on tullut paljon uutta, "
            "ja haluaisimme nähdä sinut taas"
            "{% if shop_website %}: {{ shop_website }}{% else %}.{% endif %}",
            "sv": "det är ett tag sedan din senaste beställning. Vi har fått in mycket nytt och "
            "skulle gärna se dig igen"
            "{% if shop_website %}: {{ shop_website }}{% else %}.{% endif %}",
            "en": "it has been a while since your last order. A lot is new in our range, and we "
            "would love to see you again"
            "{% if shop_website %}: {{ shop_website }}{% else %}.{% endif %}",
        },
    ),
]
TEMPLATES += MARKETING_TEMPLATES

LOYALTY_LINK = {
    "fi": "{% if loyalty_url %}\n\nPisteesi: {{ loyalty_url }}{% endif %}",
    "sv": "{% if loyalty_url %}\n\nDina poäng: {{ loyalty_url }}{% endif %}",
    "en": "{% if loyalty_url %}\n\nYour points: {{ loyalty_url }}{% endif %}",
}
LOYALTY_TEMPLATES = [
    BuiltinTemplate(
        key="loyalty_welcome",
        name="Welcome to the loyalty programme",
        subject={
            "fi": "Tervetuloa kanta-asiakkaaksemme",
            "sv": "Välkommen som stamkund",
            "en": "Welcome to our loyalty programme",
        },
        body={
            "fi": "olet nyt mukana kanta-asiakasohjelmassamme. Saat pisteitä jokaisesta "
            "ostoksesta, jonka pidät: tilauksen pisteet tulevat käyttöösi, kun sen palautusaika "
            "on päättynyt." + LOYALTY_LINK["fi"],
            "sv": "du är nu med i vårt kundprogram. Du får poäng för varje köp som du behåller: "
            "poängen för en beställning blir tillgängliga när returtiden har gått ut."
            + LOYALTY_LINK["sv"],
            "en": "you are now a member of our loyalty programme. You earn points for every "
            "purchase you keep: an order's points become yours to use once its return period "
            "has ended." + LOYALTY_LINK["en"],
        },
    ),
    BuiltinTemplate(
        key="loyalty_points_vested",
        name="Loyalty points available",
        subject={
            "fi": "{{ points }} pistettä on nyt käytettävissäsi",
            "sv": "{{ points }} poäng kan nu användas",
            "en": "{{ points }} points are now yours to use",
        },
        body={
            "fi": "{% if order_number %}tilauksesi {{ order_number }} palautusaika on päättynyt, "
            "joten sen {{ points }} pistettä ovat nyt käytettävissäsi.{% else %}{{ points }} "
            "pistettä on nyt käytettävissäsi.{% endif %} Sinulla on yhteensä "
            "{{ points_available }} pistettä." + LOYALTY_LINK["fi"],
            "sv": "{% if order_number %}returtiden för din beställning {{ order_number }} har "
            "gått ut, så dess {{ points }} poäng kan nu användas.{% else %}{{ points }} poäng "
            "kan nu användas.{% endif %} Du har sammanlagt {{ points_available }} poäng."
            + LOYALTY_LINK["sv"],
            "en": "{% if order_number %}the return period of your order {{ order_number }} has "
            "ended, so its {{ points }} points are now yours to use.{% else %}{{ points }} "
            "points are now yours to use.{% endif %} You have {{ points_available }} points in "
            "all." + LOYALTY_LINK["en"],
        },
    ),
    BuiltinTemplate(
        key="loyalty_tier_reached",
        name="Loyalty tier reached",
        subject={
            "fi": "Olet nyt tasolla {{ tier_name }}",
            "sv": "Du har nått nivån {{ tier_name }}",
            "en": "You have reached {{ tier_name }}",
        },
        body={
            "fi": "kiitos, että asioit kanssamme! Olet nyt tasolla {{ tier_name }}."
            "{% if tier_benefits %}\n\nEtusi:{% for benefit in tier_benefits %}\n- "
            "{{ benefit }}{% endfor %}{% endif %}" + LOYALTY_LINK["fi"],
            "sv": "tack för att du handlar hos oss! Du har nu nått nivån {{ tier_name }}."
            "{% if tier_benefits %}\n\nDina förmåner:{% for benefit in tier_benefits %}\n- "
            "{{ benefit }}{% endfor %}{% endif %}" + LOYALTY_LINK["sv"],
            "en": "thank you for shopping with us! You have reached {{ tier_name }}."
            "{% if tier_benefits %}\n\nYour benefits:{% for benefit in tier_benefits %}\n- "
            "{{ benefit }}{% endfor %}{% endif %}" + LOYALTY_LINK["en"],
        },
    ),
]
TEMPLATES += LOYALTY_TEMPLATES

# Rewards and referrals: points about to expire and the referral reward (transactional: they
# tell the member about their own points), and the referral invite after a kept order
# (marketing).
REWARD_TEMPLATES = [
    BuiltinTemplate(
        key="points_expiring",
        name="Points about to expire",
        subject={
            "fi": "{{ points }} pistettäsi vanhenee {{ expires_on }}",
            "sv": "Dina {{ points }} poäng går ut {{ expires_on }}",
            "en": "Your {{ points }} points expire on {{ expires_on }}",
        },
        body={
            "fi": "sinulla on {{ points }} pistettä, jotka vanhenevat {{ expires_on }}, koska "
            "tililläsi ei ole ollut tapahtumia vähään aikaan.\n\nKäytä ne palkintoon tai tee "
            "tilaus ennen sitä, niin pisteet säilyvät: {{ loyalty_url }}",
            "sv": "du har {{ points }} poäng som går ut {{ expires_on }}, eftersom inget har "
            "hänt på ditt konto på ett tag.\n\nLös in dem mot en belöning eller beställ något "
            "innan dess, så behåller du poängen: {{ loyalty_url }}",
            "en": "you have {{ points }} points that expire on {{ expires_on }}, as nothing has "
            "happened on your account for a while.\n\nRedeem them for a reward or place an "
            "order before then and you keep them: {{ loyalty_url }}",
        },
    ),
    BuiltinTemplate(
        key="referral_reward_earned",
        name="Referral reward earned",
        subject={
            "fi": "Ystäväsi tilasi – saat {{ points }} pistettä",
            "sv": "Din vän har beställt – du får {{ points }} poäng",
            "en": "Your friend ordered – you earn {{ points }} points",
        },
        body={
            "fi": "ystävä, jolle suosittelit meitä, teki ensimmäisen tilauksensa. Kiitos!\n\n"
            "Saat {{ points }} pistettä. Ne tulevat käyttöön, kun ystäväsi tilauksen "
            "palautusaika on ohi (arviolta {{ vests_on }}).\n\nPisteesi: {{ loyalty_url }}",
            "sv": "vännen du rekommenderade oss till har gjort sin första beställning. Tack!\n\n"
            "Du får {{ points }} poäng. De kan användas när returtiden för din väns "
            "beställning har gått ut (troligen {{ vests_on }}).\n\nDina poäng: {{ loyalty_url }}",
            "en": "the friend you referred has placed their first order. Thank you!\n\n"
            "You earn {{ points }} points. They can be used once your friend's order is past "
            "its return period (expected on {{ vests_on }}).\n\nYour points: {{ loyalty_url }}",
        },
    ),
    BuiltinTemplate(
        key="referral_invite",
        name="Referral invite",
        subject={
            "fi": "Jaa lahja ystävällesi",
            "sv": "Ge din vän en present",
            "en": "Give a friend a gift",
        },
        body={
            "fi": "toivottavasti tilauksesi {{ order_number }} on ollut mieleesi!\n\n"
            "Jaa tämä linkki ystävällesi: hän saa lahjan ensimmäiseen tilaukseensa, ja sinä "
            "saat pisteitä, kun hänen tilauksensa on pidetty.\n\n{{ referral_url }}",
            "sv": "vi hoppas att du är nöjd med din beställning {{ order_number }}!\n\n"
            "Dela den här länken med en vän: vännen får en present till sin första beställning "
            "och du får poäng när vännens beställning har behållits.\n\n{{ referral_url }}",
            "en": "we hope you are enjoying your order {{ order_number }}!\n\n"
            "Share this link with a friend: they get a gift on their first order, and you earn "
            "points once their order is kept.\n\n{{ referral_url }}",
        },
    ),
]
TEMPLATES += REWARD_TEMPLATES

CSAT_LINKS = (
    "{% for link in csat_links %}\n{{ link.score }} – {{ link.label }}: {{ link.url }}{% endfor %}"
)
# The satisfaction question after a solved ticket (transactional: it is about the customer's
# own contact with customer service). The links carry a signed token (service/csat.py).
SERVICE_TEMPLATES = [
    BuiltinTemplate(
        key="csat_request",
        name="How did we do?",
        subject={
            "fi": "Miten onnistuimme? (#{{ ticket_number }})",
            "sv": "Hur gjorde vi det? (#{{ ticket_number }})",
            "en": "How did we do? (#{{ ticket_number }})",
        },
        body={
            "fi": "kiitos yhteydenotostasi. Olemme merkinneet asiasi #{{ ticket_number }} "
            "({{ ticket_subject }}) ratkaistuksi.\n\nMiten onnistuimme? Valitse arvosana "
            "yhdellä napsautuksella:" + CSAT_LINKS + "\n\nSivulla voit vielä kirjoittaa meille "
            "muutaman sanan. Vastaaminen vie alle minuutin, ja se auttaa meitä palvelemaan "
            "sinua paremmin.",
            "sv": "tack för att du kontaktade oss. Vi har markerat ditt ärende "
            "#{{ ticket_number }} ({{ ticket_subject }}) som löst.\n\nHur gjorde vi det? Välj "
            "ett betyg med ett klick:" + CSAT_LINKS + "\n\nPå sidan kan du också skriva några "
            "ord till oss. Det tar under en minut och hjälper oss att hjälpa dig bättre.",
            "en": "thank you for contacting us. We have marked your request "
            "#{{ ticket_number }} ({{ ticket_subject }}) as solved.\n\nHow did we do? Choose a "
            "score with one click:" + CSAT_LINKS + "\n\nOn the page you can also write us a "
            "few words. It takes less than a minute and helps us serve you better.",
        },
    ),
]
TEMPLATES += SERVICE_TEMPLATES

# The post-purchase programme: marketing e-mails timed from receipt (delivered home or picked
# up), off until the merchant turns them on. ``{{ product_block }}`` is filled with products
# chosen for the flow (flows.products); a shop writes usage tips for a category as a template
# named "Usage tips <category>" (key usage-tips-<category>).
PRODUCT_BLOCK = "\n\n{{ product_block }}"
POST_PURCHASE_TEMPLATES = [
    BuiltinTemplate(
        key="usage_tips",
        name="Usage tips",
        subject={
            "fi": "Vinkkejä ostoksesi käyttöön",
            "sv": "Tips för ditt köp",
            "en": "Tips for your purchase",
        },
        body={
            "fi": "toivottavasti tilauksesi {{ order_number }} saapui hyvin perille!"
            "{% if order_lines %}\n\nTilasit:" + ORDER_LINES + "{% endif %}\n\n"
            "Lue käyttö- ja hoito-ohjeet ennen ensimmäistä käyttökertaa: niiden avulla saat "
            "ostoksestasi kaiken irti ja se pysyy hyvässä kunnossa pitkään."
            "{% if shop_website %}\n\nLisää vinkkejä: {{ shop_website }}{% endif %}\n\n"
            "Jos jokin askarruttaa, vastaa tähän viestiin, niin autamme.",
            "sv": "vi hoppas att din beställning {{ order_number }} har kommit fram i gott skick!"
            "{% if order_lines %}\n\nDu beställde:" + ORDER_LINES + "{% endif %}\n\n"
            "Läs bruks- och skötselanvisningarna innan du använder produkten första gången: då "
            "får du ut mesta möjliga av ditt köp och den håller sig fin länge."
            "{% if shop_website %}\n\nFler tips: {{ shop_website }}{% endif %}\n\n"
            "Om du undrar över något kan du svara på det här meddelandet, så hjälper vi dig.",
            "en": "we hope your order {{ order_number }} arrived safely!"
            "{% if order_lines %}\n\nYou ordered:" + ORDER_LINES + "{% endif %}\n\n"
            "Read the care and use instructions before the first use: they help you get the "
            "most out of your purchase and keep it in good shape for longer."
            "{% if shop_website %}\n\nMore tips: {{ shop_website }}{% endif %}\n\n"
            "If anything is unclear, just reply to this message and we will help.",
        },
    ),
    BuiltinTemplate(
        key="accessories",
        name="Compatible accessories",
        subject={
            "fi": "Nämä sopivat ostokseesi",
            "sv": "Det här passar till ditt köp",
            "en": "These go with your purchase",
        },
        body={
            "fi": "toivottavasti olet tyytyväinen tilaukseesi {{ order_number }}. Valitsimme "
            "sinulle tuotteita, jotka sopivat yhteen ostamasi kanssa:" + PRODUCT_BLOCK,
            "sv": "vi hoppas att du är nöjd med din beställning {{ order_number }}. Vi har valt "
            "ut produkter som passar ihop med det du köpte:" + PRODUCT_BLOCK,
            "en": "we hope you are happy with your order {{ order_number }}. We picked a few "
            "things that go with what you bought:" + PRODUCT_BLOCK,
        },
    ),
    BuiltinTemplate(
        key="replenishment",
        name="Time to reorder",
        subject={
            "fi": "Aika täydentää?",
            "sv": "Dags att fylla på?",
            "en": "Time to stock up?",
        },
        body={
            "fi": "arviomme mukaan tämä saattaa pian loppua sinulta:" + PRODUCT_BLOCK + "\n\n"
            "Tilaa ajoissa, niin et jää ilman.",
            "sv": "vi tror att du snart behöver fylla på det här:" + PRODUCT_BLOCK + "\n\n"
            "Beställ i god tid så att du inte blir utan.",
            "en": "we think you may soon run out of this:" + PRODUCT_BLOCK + "\n\n"
            "Order in good time so you are never without.",
        },
    ),
    BuiltinTemplate(
        key="new_arrivals",
        name="New arrivals for you",
        subject={
            "fi": "Uutuuksia sinulle",
            "sv": "Nyheter för dig",
            "en": "New arrivals for you",
        },
        body={
            "fi": "valikoimaamme on tullut uutuuksia, jotka voivat kiinnostaa sinua aiempien "
            "ostostesi perusteella:" + PRODUCT_BLOCK,
            "sv": "vi har fått in nyheter som kan intressera dig utifrån det du har köpt "
            "tidigare:" + PRODUCT_BLOCK,
            "en": "we have new arrivals you may like, based on what you have bought before:"
            + PRODUCT_BLOCK,
        },
    ),
    BuiltinTemplate(
        key="win_back_lapsing",
        name="We miss you",
        subject={
            "fi": "Kaipaamme sinua",
            "sv": "Vi saknar dig",
            "en": "We miss you",
        },
        body={
            "fi": "edellisestä käynnistäsi on jo tovi. Tässä muutama tuote, joista voisit "
            "pitää:" + PRODUCT_BLOCK,
            "sv": "det var ett tag sedan du handlade hos oss. Här är några produkter som du "
            "kanske gillar:" + PRODUCT_BLOCK,
            "en": "it has been a while since your last visit. Here are a few things you might "
            "like:" + PRODUCT_BLOCK,
        },
    ),
]
TEMPLATES += POST_PURCHASE_TEMPLATES
# The satisfaction survey: one signed link per score (``survey_links``, from
# aftersale.surveys.links); the page it opens records nothing until the customer presses the
# button, so a mail scanner following the links answers nothing.
SURVEY_LINKS = "{% for link in survey_links %}\n{{ link.score }}: {{ link.url }}{% endfor %}"
SURVEY_TEMPLATES = [
    BuiltinTemplate(
        key="satisfaction_survey",
        name="Satisfaction survey",
        subject={
            "fi": "Miten onnistuimme? Tilaus {{ order_number }}",
            "sv": "Hur lyckades vi? Beställning {{ order_number }}",
            "en": "How did we do? Order {{ order_number }}",
        },
        body={
            "fi": "tilauksesi {{ order_number }} on nyt perillä. "
            "{% if survey_scale == 'nps' %}Kuinka todennäköisesti suosittelisit meitä "
            "ystävällesi? Valitse luku 0 (en lainkaan todennäköisesti) – 10 (erittäin "
            "todennäköisesti):{% else %}Kuinka tyytyväinen olet tilaukseesi? Valitse luku 1 "
            "(erittäin tyytymätön) – 5 (erittäin tyytyväinen):{% endif %}\n"
            + SURVEY_LINKS
            + "\n\nYksi napsautus ja yksi painallus riittävät. Halutessasi voit kirjoittaa "
            "myös kommentin.",
            "sv": "din beställning {{ order_number }} har nu kommit fram. "
            "{% if survey_scale == 'nps' %}Hur troligt är det att du skulle rekommendera oss "
            "till en vän? Välj ett tal från 0 (inte alls troligt) till 10 (mycket troligt):"
            "{% else %}Hur nöjd är du med din beställning? Välj ett tal från 1 (mycket "
            "missnöjd) till 5 (mycket nöjd):{% endif %}\n"
            + SURVEY_LINKS
            + "\n\nDet räcker med ett klick och en knapptryckning. Om du vill kan du också "
            "skriva en kommentar.",
            "en": "your order {{ order_number }} has arrived. "
            "{% if survey_scale == 'nps' %}How likely are you to recommend us to a friend? "
            "Choose a number from 0 (not at all likely) to 10 (extremely likely):"
            "{% else %}How satisfied are you with your order? Choose a number from 1 (very "
            "dissatisfied) to 5 (very satisfied):{% endif %}\n"
            + SURVEY_LINKS
            + "\n\nOne click and one button is all it takes. You can add a comment if you "
            "like.",
        },
    ),
]
TEMPLATES += SURVEY_TEMPLATES

_SEND = "email"
_WAIT = "wait"
_CONDITION = "condition"
_PARCEL_DONE = [
    types.SHIPMENT_PICKED_UP,
    types.SHIPMENT_DELIVERED,
    types.SHIPMENT_RETURNED_TO_SENDER,
    types.ORDER_CANCELLED,
]

FLOWS = [
    BuiltinFlow(
        key="order_thanks",
        name="Order thanks",
        trigger_type=types.ORDER_PLACED,
        steps=[BuiltinStep(_SEND, "order_thanks")],
        flow_filter=["order_not_cancelled"],
        exit_events=[types.ORDER_CANCELLED],
    ),
    BuiltinFlow(
        key="shipped",
        name="Order shipped",
        trigger_type=types.SHIPMENT_SHIPPED,
        steps=[BuiltinStep(_SEND, "shipped")],
        flow_filter=["order_not_cancelled"],
        exit_events=[types.ORDER_CANCELLED],
    ),
    BuiltinFlow(
        key="ready_for_pickup",
        name="Ready for pickup",
        trigger_type=types.SHIPMENT_READY_FOR_PICKUP,
        steps=[BuiltinStep(_SEND, "ready_for_pickup")],
        flow_filter=["parcel_waiting"],
        exit_events=_PARCEL_DONE,
    ),
    BuiltinFlow(
        key="pickup_reminder_3d",
        name="Pickup reminder 3 days before the deadline",
        trigger_type=types.SHIPMENT_READY_FOR_PICKUP,
        steps=[
            BuiltinStep(_WAIT, wait=timedelta(days=3), wait_anchor="held_until"),
            BuiltinStep(_SEND, "pickup_reminder"),
        ],
        flow_filter=["parcel_waiting"],
        exit_events=_PARCEL_DONE,
    ),
    BuiltinFlow(
        key="pickup_reminder_1d",
        name="Pickup reminder 1 day before the deadline",
        trigger_type=types.SHIPMENT_READY_FOR_PICKUP,
        steps=[
            BuiltinStep(_WAIT, wait=timedelta(days=1), wait_anchor="held_until"),
            BuiltinStep(_SEND, "pickup_last_call"),
        ],
        flow_filter=["parcel_waiting"],
        exit_events=_PARCEL_DONE,
    ),
    BuiltinFlow(
        key="return_registered",
        name="Return registered",
        trigger_type=types.RETURN_REQUESTED,
        steps=[BuiltinStep(_SEND, "return_registered")],
    ),
    BuiltinFlow(
        key="return_approved",
        name="Return approved",
        trigger_type=types.RETURN_APPROVED,
        steps=[BuiltinStep(_SEND, "return_approved")],
    ),
    BuiltinFlow(
        key="return_received",
        name="Return received",
        trigger_type=types.RETURN_RECEIVED,
        steps=[BuiltinStep(_SEND, "return_received")],
    ),
    BuiltinFlow(
        key="return_refunded",
        name="Return refunded",
        trigger_type=types.RETURN_REFUNDED,
        steps=[BuiltinStep(_SEND, "return_refunded")],
    ),
]
# Marketing flows: off until the merchant turns them on; they need the customer's consent.
FLOWS += [
    # Started when a review request falls due, days after the parcel was delivered or picked
    # up (aftersale/reviews/requests.py plans it per product category). The same e-mail and
    # the one reminder for every buyer: nothing in it depends on a rating or a survey answer.
    BuiltinFlow(
        key="review_request",
        name="Review request after delivery or pickup",
        trigger_type=types.REVIEW_REQUESTED,
        steps=[
            BuiltinStep(_SEND, "review_request"),
            BuiltinStep(_WAIT, wait=timedelta(days=7)),
            BuiltinStep(_CONDITION, condition="review_not_written"),
            BuiltinStep(_SEND, "review_reminder"),
        ],
        flow_filter=["order_not_cancelled", "review_items_kept"],
        exit_events=[types.ORDER_CANCELLED],
        kind="marketing",
        enabled=False,
    ),
    BuiltinFlow(
        key="win_back",
        name="Win-back 90 days after the last order",
        trigger_type=types.ORDER_PLACED,
        steps=[
            BuiltinStep(_WAIT, wait=timedelta(days=90)),
            BuiltinStep(_SEND, "win_back"),
        ],
        flow_filter=["no_order_since_start"],
        kind="marketing",
        enabled=False,
    ),
]
# The satisfaction survey, timed from when the customer actually got the parcel: delivered
# home, or picked up from a pickup point or locker (two flows, one per event; the same
# delay, set on the surveys page). One survey per order: the first parcel received asks.
SURVEY_DELIVERED = "satisfaction_survey_delivered"
SURVEY_PICKED_UP = "satisfaction_survey_picked_up"
SURVEY_FLOW_KEYS = (SURVEY_DELIVERED, SURVEY_PICKED_UP)
SURVEY_DELAY = timedelta(days=2)
FLOWS += [
    BuiltinFlow(
        key=key,
        name=name,
        trigger_type=trigger,
        steps=[
            BuiltinStep(_WAIT, wait=SURVEY_DELAY),
            BuiltinStep(_SEND, "satisfaction_survey"),
        ],
        flow_filter=["order_not_cancelled", "first_survey_of_order"],
        exit_events=[types.ORDER_CANCELLED],
        kind="marketing",
        enabled=False,
    )
    for key, name, trigger in (
        (SURVEY_DELIVERED, "Satisfaction survey after delivery", types.SHIPMENT_DELIVERED),
        (SURVEY_PICKED_UP, "Satisfaction survey after pickup", types.SHIPMENT_PICKED_UP),
    )
]
# Loyalty: they only start once the shop runs a programme (its events exist only then).
FLOWS += [
    BuiltinFlow(
        key="loyalty_welcome",
        name="Welcome to the loyalty programme",
        trigger_type=types.LOYALTY_JOINED,
        steps=[BuiltinStep(_SEND, "loyalty_welcome")],
    ),
    BuiltinFlow(
        key="loyalty_points_vested",
        name="Loyalty points available",
        trigger_type=types.LOYALTY_POINTS_VESTED,
        steps=[BuiltinStep(_SEND, "loyalty_points_vested")],
    ),
    BuiltinFlow(
        key="loyalty_tier_reached",
        name="Loyalty tier reached",
        trigger_type=types.LOYALTY_TIER_CHANGED,
        trigger_filter={"direction": "up"},
        steps=[BuiltinStep(_SEND, "loyalty_tier_reached")],
    ),
]
# Rewards and referrals: expiry, the referral reward and the invite after a kept order.
FLOWS += [
    BuiltinFlow(
        key="points_expiring",
        name="Points about to expire",
        trigger_type=types.LOYALTY_POINTS_EXPIRING,
        steps=[BuiltinStep(_SEND, "points_expiring")],
    ),
    BuiltinFlow(
        key="referral_reward_earned",
        name="Referral reward earned",
        trigger_type=types.LOYALTY_REFERRAL_REWARDED,
        steps=[BuiltinStep(_SEND, "referral_reward_earned")],
    ),
    BuiltinFlow(
        key="referral_invite",
        name="Referral invite after a kept order",
        trigger_type=types.LOYALTY_ORDER_KEPT,
        steps=[BuiltinStep(_SEND, "referral_invite")],
        flow_filter=["order_not_cancelled"],
        kind="marketing",
        enabled=False,
    ),
]
# Customer service: the satisfaction question when a ticket is solved (once per ticket within
# the shop's interval; a ticket reopened before it is sent is not asked).
FLOWS += [
    BuiltinFlow(
        key="csat",
        name="How did we do? after a solved ticket",
        trigger_type=types.TICKET_SOLVED,
        steps=[BuiltinStep(_SEND, "csat_request")],
        flow_filter=["ticket_solved", "csat_not_asked_recently"],
        exit_events=[types.TICKET_REOPENED],
    ),
]
# The post-purchase programme (marketing, off by default): timed from receipt, the moment the
# customer actually has the goods (delivered home or picked up from the pickup point).
_RECEIVED = "shipment.received"  # flows.triggers.RECEIVED
FLOWS += [
    BuiltinFlow(
        key="post_purchase_usage_tips",
        name="Usage tips a day after receipt",
        trigger_type=_RECEIVED,
        steps=[BuiltinStep(_WAIT, wait=timedelta(days=1)), BuiltinStep(_SEND, "usage_tips")],
        flow_filter=["order_not_cancelled"],
        exit_events=[types.ORDER_CANCELLED],
        kind="marketing",
        enabled=False,
    ),
    BuiltinFlow(
        key="post_purchase_accessories",
        name="Compatible accessories 5 days after receipt",
        trigger_type=_RECEIVED,
        steps=[BuiltinStep(_WAIT, wait=timedelta(days=5)), BuiltinStep(_SEND, "accessories")],
        flow_filter=["order_not_cancelled", "nothing_being_returned"],
        exit_events=[types.ORDER_CANCELLED, types.RETURN_REQUESTED, types.WITHDRAWAL_NOTIFIED],
        kind="marketing",
        enabled=False,
    ),
    BuiltinFlow(
        key="post_purchase_replenishment",
        name="Reorder reminder 3 days before a consumable runs out",
        trigger_type=_RECEIVED,
        steps=[
            BuiltinStep(_WAIT, wait=timedelta(days=3), wait_anchor="reorder_due"),
            BuiltinStep(_SEND, "replenishment"),
        ],
        flow_filter=["order_not_cancelled"],
        exit_events=[types.ORDER_CANCELLED],
        kind="marketing",
        enabled=False,
    ),
    BuiltinFlow(
        key="post_purchase_new_arrivals",
        name="New arrivals 30 days after receipt",
        trigger_type=_RECEIVED,
        steps=[BuiltinStep(_WAIT, wait=timedelta(days=30)), BuiltinStep(_SEND, "new_arrivals")],
        flow_filter=["no_order_since_start"],
        kind="marketing",
        enabled=False,
    ),
    BuiltinFlow(
        key="win_back_lapsing",
        name="Win-back when a customer is lapsing",
        trigger_type=types.CUSTOMER_LAPSING,
        steps=[BuiltinStep(_SEND, "win_back_lapsing")],
        flow_filter=["no_order_since_start"],
        kind="marketing",
        enabled=False,
    ),
]
