"""The acknowledgement of a withdrawal on a durable medium: an e-mail with a PDF copy of what
was withdrawn, when the notice arrived, the refund deadline and the next steps."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from aftersale.returns.models import Withdrawal
from aftersale.returns.policy import policy_for


def local_time(withdrawal: Withdrawal, moment) -> str:
    """A moment as the customer reads it: date and time to the second in the shop's zone."""
    zone = ZoneInfo(withdrawal.shop.time_zone)
    local = moment.astimezone(zone)
    day = formats.date_format(local, "DATE_FORMAT")
    return f"{day} {local:%H:%M:%S} ({withdrawal.shop.time_zone})"


def next_steps(withdrawal: Withdrawal) -> list[str]:
    address = return_address_for(withdrawal)
    zone = ZoneInfo(withdrawal.shop.time_zone)
    refund_day = formats.date_format(withdrawal.refund_due_at.astimezone(zone).date())
    return [
        _("Send the goods back within 14 days of your notice, to: %(address)s.")
        % {"address": address or withdrawal.shop.name},
        _(
            "Use any traceable parcel service and keep the receipt: it is your proof of "
            "sending. The costs of sending the goods back are yours unless the shop offers "
            "otherwise."
        ),
        (
            _("We refund what you paid, including the original standard delivery, by %(date)s.")
            if withdrawal.whole_order
            else _("We refund the price of the withdrawn items by %(date)s.")
        )
        % {"date": refund_day},
        _(
            "The shop may withhold the refund until it has received the goods back or you have "
            "shown proof of having sent them, whichever is earlier."
        ),
    ]


def return_address_for(withdrawal: Withdrawal) -> str:
    address = policy_for(withdrawal.shop).return_address or withdrawal.shop.address
    return ", ".join(line.strip() for line in address.splitlines() if line.strip())


def acknowledgement_pdf(withdrawal: Withdrawal) -> bytes:
    """One A4 page the customer can keep: the shop, the consumer, the order, the lines
    withdrawn, the exact time the notice was received, the refund deadline, the next steps."""
    shop = withdrawal.shop
    customer = withdrawal.customer
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=0)
    pdf.setTitle(_("Acknowledgement of withdrawal %(code)s") % {"code": withdrawal.code})
    pdf.setAuthor(shop.name)
    _width, height = A4
    left = 20 * mm
    y = height - 25 * mm

    def line(text: str, font: str = "Helvetica", size: int = 11, gap: float = 6) -> None:
        nonlocal y
        pdf.setFont(font, size)
        for chunk in _wrap(text, 95):
            pdf.drawString(left, y, chunk)
            y -= gap * mm

    line(shop.name, "Helvetica-Bold", 18, 8)
    for address_line in shop.address.splitlines():
        line(address_line.strip(), size=10, gap=5)
    if shop.contact_email:
        line(shop.contact_email, size=10, gap=5)
    y -= 6 * mm
    line(_("Acknowledgement of withdrawal"), "Helvetica-Bold", 14, 9)
    line(_("Withdrawal %(code)s") % {"code": withdrawal.code})
    line(_("Consumer: %(name)s, %(email)s") % {"name": customer.full_name, "email": customer.email})
    line(_("Order %(number)s") % {"number": withdrawal.order.number})
    line(
        _("Notice of withdrawal received: %(time)s")
        % {"time": local_time(withdrawal, withdrawal.notified_at)},
        "Helvetica-Bold",
    )
    y -= 4 * mm
    line(
        _("Withdrawn: the whole order") if withdrawal.whole_order else _("Withdrawn: these items"),
        "Helvetica-Bold",
        12,
        7,
    )
    for item in withdrawal.lines.select_related("order_line"):
        text = f"{item.quantity} × {item.order_line.name}"
        if item.order_line.sku:
            text += f"  ({item.order_line.sku})"
        line(text)
    y -= 4 * mm
    line(
        _("Refund due by: %(time)s") % {"time": local_time(withdrawal, withdrawal.refund_due_at)},
        "Helvetica-Bold",
    )
    y -= 4 * mm
    line(_("Next steps"), "Helvetica-Bold", 12, 7)
    for number, step in enumerate(next_steps(withdrawal), start=1):
        line(f"{number}. {step}", size=10, gap=5)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current] if current else lines or [""]


def acknowledgement_message(withdrawal: Withdrawal) -> EmailMessage:
    """The transactional e-mail in the customer's language, with the PDF attached."""
    shop = withdrawal.shop
    language = (
        withdrawal.language if withdrawal.language in shop.languages else shop.default_language
    )
    with translation.override(language):
        context = {
            "withdrawal": withdrawal,
            "shop": shop,
            "received": local_time(withdrawal, withdrawal.notified_at),
            "refund_due": local_time(withdrawal, withdrawal.refund_due_at),
            "lines": list(withdrawal.lines.select_related("order_line")),
            "next_steps": next_steps(withdrawal),
        }
        subject = render_to_string("returns/email/withdrawal_subject.txt", context).strip()
        body = render_to_string("returns/email/withdrawal.txt", context)
        attachment = acknowledgement_pdf(withdrawal)
        filename = _("withdrawal-%(code)s.pdf") % {"code": withdrawal.code}
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [withdrawal.customer.email],
        reply_to=[shop.contact_email] if shop.contact_email else None,
        headers={
            "Message-ID": withdrawal.acknowledgement_message_id or make_msgid(domain="aftersale"),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach(filename, attachment, "application/pdf")
    return message
