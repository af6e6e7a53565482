"""Support e-mail coming in: from the built-in SMTP/LMTP receiver (``aftersale mail-in``) or an
e-mail provider's inbound webhook (through Anymail), into tickets.

    message.py     a raw e-mail → ``InboundMail`` (addresses, trimmed text, files, threading ids)
    quoting.py     the customer's new words without the quoted history and the signature
    automatic.py   auto-replies, out-of-office, bounces and list mail (RFC 3834): never a ticket
    routing.py     which shop (and which ticket's token) a recipient address names
    receive.py     the pipeline: route, drop automatic mail, rate limit, thread, open or append
    server.py      the aiosmtpd receiver behind Postfix
    webhook.py     Anymail's ``inbound`` signal → the same pipeline

docs/operators/support-mail.md describes the set-up.
"""
