"""An e-mail's bytes on the wire, as Django's SMTP backend would send them, with less work.

``email.generator`` folds every header line through ``email.header.Header`` and checks a new
multipart boundary against the whole message with a freshly compiled regex; for the messages
the worker sends most of that work returns its input unchanged. Here a short ASCII header line
is written as it is (longer or non-ASCII ones still go through the policy's folding), a
boundary is 128 random bits that cannot be expected in any text, and the envelope addresses
of plain ASCII mailboxes are used as they are. The output is byte for byte what the standard
generator and ``sanitize_address`` produce (tests/flows/test_wire.py).
"""

from __future__ import annotations

import random
import re
from email import generator
from io import BytesIO

from django.core.mail.message import sanitize_address

# A mailbox that needs no encoding, quoting or punycode: sanitize_address returns it as is.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


class Generator(generator.BytesGenerator):
    def _write_headers(self, msg) -> None:
        # compat32 (Django's policy) folds at 78 characters; a line that fits is unchanged.
        limit = (self.policy.max_line_length or 78) - 2
        for name, value in msg.raw_items():
            if (
                isinstance(value, str)
                and value.isascii()
                and len(name) + len(value) < limit
                and "\n" not in value
                and "\r" not in value
                and value == value.strip()
                and "  " not in value
                and "\t" not in value
            ):
                self.write(f"{name}: {value}{self._NL}")
            else:
                self._fp.write(self.policy.fold_binary(name, value))
        self.write(self._NL)

    @classmethod
    def _make_boundary(cls, text=None) -> str:
        # Unique, not secret: the email package itself uses ``random`` for boundaries.
        return f"==============={random.getrandbits(128):032x}=="


def as_bytes(message) -> bytes:
    """``message.as_bytes(linesep="\\r\\n")`` for a Django ``SafeMIME…`` message."""
    out = BytesIO()
    Generator(out, mangle_from_=False).flatten(message, linesep="\r\n")
    return out.getvalue()


def envelope_address(address: str, encoding: str) -> str:
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, encoding)
