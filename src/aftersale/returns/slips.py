"""The printable return slip (PDF) and the QR code that carries the return code."""

from __future__ import annotations

import io
import textwrap

import segno
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from aftersale.returns.instructions import return_address, sending_steps
from aftersale.returns.models import ReturnRequest, ReturnState

# A return has a slip to print while the customer is sending it back.
SLIP_STATES = (ReturnState.APPROVED, ReturnState.IN_TRANSIT)


def qr_code(return_request: ReturnRequest):
    """A QR code holding only the return code: what the shop's scanner types into the queue."""
    return segno.make(return_request.code, error="m")


def qr_svg(return_request: ReturnRequest) -> bytes:
    out = io.BytesIO()
    qr_code(return_request).save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return out.getvalue()


def slip_pdf(return_request: ReturnRequest) -> bytes:
    """One A4 page: the return code in large type and as a QR code, the order, the items and
    where the parcel goes. The text stays text (searchable, readable by screen readers)."""
    shop = return_request.shop
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=0)
    pdf.setTitle(_("Return slip %(code)s") % {"code": return_request.code})
    pdf.setAuthor(shop.name)
    width, height = A4
    left = 20 * mm
    y = height - 25 * mm

    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(left, y, shop.name)
    y -= 10 * mm
    pdf.setFont("Helvetica", 13)
    pdf.drawString(left, y, _("Return slip"))
    y -= 16 * mm
    pdf.setFont("Helvetica", 11)
    pdf.drawString(left, y, _("Return code"))
    y -= 12 * mm
    pdf.setFont("Courier-Bold", 30)
    pdf.drawString(left, y, return_request.code)

    png = io.BytesIO()
    qr_code(return_request).save(png, kind="png", scale=8, border=2)
    png.seek(0)
    size = 45 * mm
    pdf.drawImage(ImageReader(png), width - left - size, height - 25 * mm - size, size, size)

    y -= 14 * mm
    pdf.setFont("Helvetica", 11)
    pdf.drawString(left, y, _("Order %(number)s") % {"number": return_request.order.number})
    y -= 6 * mm
    pdf.drawString(left, y, str(return_request.get_kind_display()))
    y -= 12 * mm
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(left, y, _("Items"))
    pdf.setFont("Helvetica", 11)
    for line in return_request.lines.select_related("order_line"):
        y -= 6 * mm
        text = f"{line.quantity} × {line.order_line.name}"
        if line.order_line.sku:
            text += f"  ({line.order_line.sku})"
        pdf.drawString(left, y, text[:95])

    address = return_address(return_request)
    if address:
        y -= 14 * mm
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(left, y, _("Send to"))
        pdf.setFont("Helvetica", 11)
        for address_line in address.splitlines():
            y -= 6 * mm
            pdf.drawString(left, y, address_line.strip()[:95])

    y -= 16 * mm
    pdf.setFont("Helvetica", 10)
    for number, step in enumerate(sending_steps(return_request), start=1):
        for row, text in enumerate(textwrap.wrap(step, 95)):
            pdf.drawString(left, y, f"{number}. {text}" if row == 0 else f"    {text}")
            y -= 6 * mm

    pdf.showPage()
    pdf.save()
    return out.getvalue()
