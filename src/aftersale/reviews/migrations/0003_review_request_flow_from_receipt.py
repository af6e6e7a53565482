"""Existing shops move to the review request timed from receipt (review.requested).

The old built-in flow (a week after "delivered", no pickups, no link) is kept, turned off
and renamed, so its history stays; the new flow takes its on/off state. The request
template is replaced where it still has the old built-in text (edited ones are left as the
merchant wrote them: add {{ review_url }} to them), and the reminder template is added.
The texts are frozen here as they were when this migration was written.
"""

from datetime import timedelta

from django.db import migrations

OLD_REQUEST = {'en': ('How did you like your order {{ order_number }}?',
        'Hi{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        'we hope you are happy with your order {{ order_number }}.{% for line in order_lines '
        '%}\n'
        '- {{ line.quantity }} × {{ line.name }}{% endfor %}\n'
        '\n'
        'Would you tell us what you think? Reply to this e-mail or leave a review{% if '
        'shop_website %} at {{ shop_website }}{% else %} in our shop{% endif %}. Your '
        'feedback helps us and other customers.\n'
        '\n'
        'Best regards,\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n'),
 'fi': ('Mitä pidit tilauksestasi {{ order_number }}?',
        'Hei{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        'toivottavasti olet tyytyväinen tilaukseesi {{ order_number }}.{% for line in '
        'order_lines %}\n'
        '- {{ line.quantity }} × {{ line.name }}{% endfor %}\n'
        '\n'
        'Kertoisitko meille, mitä pidit? Vastaa tähän viestiin tai jätä arvio{% if '
        'shop_website %} osoitteessa {{ shop_website }}{% else %} verkkokaupassamme{% endif '
        '%}. Palautteesi auttaa meitä ja muita asiakkaita.\n'
        '\n'
        'Ystävällisin terveisin\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n'),
 'sv': ('Vad tyckte du om din beställning {{ order_number }}?',
        'Hej{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        'vi hoppas att du är nöjd med din beställning {{ order_number }}.{% for line in '
        'order_lines %}\n'
        '- {{ line.quantity }} × {{ line.name }}{% endfor %}\n'
        '\n'
        'Vill du berätta vad du tyckte? Svara på det här meddelandet eller lämna ett omdöme{% '
        'if shop_website %} på {{ shop_website }}{% else %} i vår webbutik{% endif %}. Din '
        'åsikt hjälper oss och andra kunder.\n'
        '\n'
        'Vänliga hälsningar\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n')}
NEW_REQUEST = {'en': ('How did you like your order {{ order_number }}?',
        'Hi{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        '{% if parcel_was_late %}we are sorry your parcel was late. {% endif %}we hope you '
        'have had time to try what you ordered:{% for name in review_products %}\n'
        '- {{ name }}{% endfor %}\n'
        '\n'
        'Would you tell other customers what you think? Writing a review takes a minute and '
        'needs no password:\n'
        '{{ review_url }}\n'
        '\n'
        'We publish every review, critical ones too: how we check reviews {{ '
        'review_policy_url }}\n'
        '\n'
        'Best regards,\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n'),
 'fi': ('Mitä pidit tilauksestasi {{ order_number }}?',
        'Hei{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        '{% if parcel_was_late %}pahoittelemme, että pakettisi saapui myöhässä. {% endif '
        '%}toivottavasti olet ehtinyt kokeilla tilaamiasi tuotteita:{% for name in '
        'review_products %}\n'
        '- {{ name }}{% endfor %}\n'
        '\n'
        'Kertoisitko muille asiakkaille, mitä pidit? Arvion kirjoittaminen vie minuutin, eikä '
        'siihen tarvita salasanaa:\n'
        '{{ review_url }}\n'
        '\n'
        'Julkaisemme kaikki arviot, myös kriittiset: näin tarkistamme arviot {{ '
        'review_policy_url }}\n'
        '\n'
        'Ystävällisin terveisin\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n'),
 'sv': ('Vad tyckte du om din beställning {{ order_number }}?',
        'Hej{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        '{% if parcel_was_late %}vi ber om ursäkt för att ditt paket kom fram sent. {% endif '
        '%}vi hoppas att du har hunnit prova det du beställde:{% for name in review_products '
        '%}\n'
        '- {{ name }}{% endfor %}\n'
        '\n'
        'Vill du berätta för andra kunder vad du tycker? Det tar en minut att skriva ett '
        'omdöme och du behöver inget lösenord:\n'
        '{{ review_url }}\n'
        '\n'
        'Vi publicerar alla omdömen, även kritiska: så här granskar vi omdömen {{ '
        'review_policy_url }}\n'
        '\n'
        'Vänliga hälsningar\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n')}
NEW_REMINDER = {'en': ('Reminder: would you review your order {{ order_number }}?',
        'Hi{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        'we recently asked what you think of what you ordered:{% for name in review_products '
        '%}\n'
        '- {{ name }}{% endfor %}\n'
        '\n'
        'If you have a minute, write a review here: {{ review_url }}\n'
        '\n'
        'This is the only reminder; we will not ask about this order again.\n'
        '\n'
        'Best regards,\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n'),
 'fi': ('Muistutus: arvioisitko tilauksesi {{ order_number }}?',
        'Hei{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        'kysyimme hiljattain, mitä pidit tilaamistasi tuotteista:{% for name in '
        'review_products %}\n'
        '- {{ name }}{% endfor %}\n'
        '\n'
        'Jos ehdit, kirjoita arvio tästä: {{ review_url }}\n'
        '\n'
        'Tämä on ainoa muistutus, emmekä kysy tästä tilauksesta enää.\n'
        '\n'
        'Ystävällisin terveisin\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n'),
 'sv': ('Påminnelse: vill du recensera din beställning {{ order_number }}?',
        'Hej{% if customer_first_name %} {{ customer_first_name }}{% endif %},\n'
        '\n'
        'vi frågade nyligen vad du tyckte om det du beställde:{% for name in review_products '
        '%}\n'
        '- {{ name }}{% endfor %}\n'
        '\n'
        'Om du hinner, skriv ett omdöme här: {{ review_url }}\n'
        '\n'
        'Det här är den enda påminnelsen, vi frågar inte mer om den här beställningen.\n'
        '\n'
        'Vänliga hälsningar\n'
        '{{ shop_name }}{% if shop_email %}\n'
        '{{ shop_email }}{% endif %}\n')}
REQUEST_NAME = 'Review request'
REMINDER_NAME = 'Review request reminder'


def forwards(apps, schema_editor):
    Flow = apps.get_model("flows", "Flow")
    Step = apps.get_model("flows", "Step")
    Template = apps.get_model("flows", "Template")
    for old in Flow.objects.filter(key="review_request", trigger_type="shipment.delivered"):
        shop_id, enabled = old.shop_id, old.enabled
        old.key = "review_request_v1"
        old.name = f"{old.name} (replaced)"[:200]
        old.enabled = False
        old.save(update_fields=["key", "name", "enabled"])
        flow = Flow.objects.create(
            shop_id=shop_id,
            key="review_request",
            name="Review request after delivery or pickup",
            kind="marketing",
            enabled=enabled,
            trigger_type="review.requested",
            trigger_filter={},
            flow_filter=["order_not_cancelled", "review_items_kept"],
            exit_events=["order.cancelled"],
        )
        steps = [
            dict(type="email", template_key="review_request"),
            dict(type="wait", wait=timedelta(days=7)),
            dict(type="condition", condition="review_not_written"),
            dict(type="email", template_key="review_reminder"),
        ]
        for position, step in enumerate(steps, start=1):
            Step.objects.create(shop_id=shop_id, flow=flow, position=position, **step)
        for language, (subject, body) in NEW_REQUEST.items():
            Template.objects.filter(
                shop_id=shop_id,
                key="review_request",
                language=language,
                subject=OLD_REQUEST[language][0],
                body=OLD_REQUEST[language][1],
            ).update(subject=subject, body=body, name=REQUEST_NAME)
        for language, (subject, body) in NEW_REMINDER.items():
            if not Template.objects.filter(
                shop_id=shop_id, key="review_reminder", language=language
            ).exists():
                Template.objects.create(
                    shop_id=shop_id,
                    key="review_reminder",
                    language=language,
                    name=REMINDER_NAME,
                    subject=subject,
                    body=body,
                )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_request_release"),
        ("flows", "0004_steprun_unique_step"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
