"""E-mails as customers' mail programs and mail servers write them, built with the standard
library so that the tests read them the way the receiver does."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def customer_mail(
    *,
    sender="matti.meikalainen@example.fi",
    name="Matti Meikäläinen",
    to="tuki@pohjola.example",
    subject="Missä pakettini on?",
    text="Hei,\n\nmissä pakettini on?\n\nTerveisin\nMatti\n",
    html=None,
    message_id=None,
    in_reply_to=None,
    references=None,
    headers=None,
    attachments=(),
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>" if name else sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.fi")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def out_of_office(*, to="tuki@pohjola.example", sender="matti.meikalainen@example.fi"):
    return customer_mail(
        sender=sender,
        to=to,
        subject="Automaattinen vastaus: Vastaus tilaukseesi",
        text="Olen lomalla 14.12. asti. Kiireellisissä asioissa soita 040 123 4567.\n",
        headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
    )


def delivery_report(*, to="tuki@pohjola.example", original_to="nobody@example.fi") -> bytes:
    """A DSN (RFC 3464) as Postfix sends it: multipart/report from MAILER-DAEMON."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.fi>\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.fi')}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.fi.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        f"be delivered to one or more recipients.\r\n\r\n<{original_to}>: User unknown\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.fi\r\n\r\n"
        f"Final-Recipient: rfc822; {original_to}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: tuki@pohjola.example\r\nTo: {original_to}\r\nSubject: Tilauksesi\r\n"
        "--B--\r\n"
    ).encode()
