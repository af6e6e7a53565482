"""The new words of a reply: the quoted earlier messages and the signature cut off.

Mail programs quote what they reply to below an attribution line ("On … wrote:", Finnish
"… kirjoitti:", Swedish "… skrev …:"), an Outlook header block ("From:/Lähettäjä:/Från:"
followed by "Sent:/Lähetetty:/Skickat:" …) or an "Original Message" rule, and mark quoted lines
with ">". The signature starts at the "-- " line (RFC 3676) or a phone's "Sent from my …".
Only what is certainly quoted is cut; if nothing would be left, the whole text is kept.
"""

from __future__ import annotations

import re

ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"on\b.{4,300}\bwrote\s*:"  # On Tue, 1 Dec 2026 at 10:00, Shop <a@b> wrote:
    r"|.{4,300}\bkirjoitti\s*:"  # ti 1.12.2026 klo 10.00 Kauppa <a@b> kirjoitti:
    r"|.{0,300}\bskrev\b.{0,300}:"  # Den tis 1 dec. 2026 kl 10:00 skrev Butik <a@b>:
    r")\s*$",
    re.IGNORECASE,
)
RULE = re.compile(
    r"^\s*(?:-{3,}\s*(?:original message|alkuperäinen viesti|ursprungligt meddelande|"
    r"forwarded message|välitetty viesti|vidarebefordrat meddelande)\s*-{3,}|_{20,})\s*$",
    re.IGNORECASE,
)
HEADER_FROM = re.compile(r"^\s*\*?(?:from|lähettäjä|från)\s*:\*?\s*\S", re.IGNORECASE)
HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|cc|lähetetty|päivämäärä|vastaanottaja|aihe|"
    r"skickat|datum|till|ämne)\s*:",
    re.IGNORECASE,
)
SIGNATURE_RULE = re.compile(r"^--\s?$")
SENT_FROM_PHONE = re.compile(
    r"^\s*(?:sent from my\b|get outlook for\b|lähetetty .*(?:iphone|android|puhelime)|"
    r"skickat från min\b)",
    re.IGNORECASE,
)


def _attribution(line: str) -> bool:
    """An attribution names a date or an address, not just someone who wrote."""
    return bool(ATTRIBUTION.match(line)) and bool(re.search(r"\d|@", line))


def _quote_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if RULE.match(line):
            return index
        joined = line if index + 1 >= len(lines) else f"{line} {lines[index + 1]}"
        if _attribution(line):
            return index
        if (
            index + 1 < len(lines)
            and not _attribution(lines[index + 1])
            and _attribution(joined)
            and lines[index + 1].rstrip().endswith(":")
        ):
            return index  # an attribution line wrapped in two
        if HEADER_FROM.match(line) and any(
            HEADER_NEXT.match(following) for following in lines[index + 1 : index + 4]
        ):
            return index
    return None


def _without_trailing_quote(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(">")):
        end -= 1
    return lines[:end]


def _without_signature(lines: list[str]) -> list[str]:
    rules = [index for index, line in enumerate(lines) if SIGNATURE_RULE.match(line)]
    if len(rules) == 1:
        lines = lines[: rules[0]]
    for index in range(max(len(lines) - 3, 0), len(lines)):
        if SENT_FROM_PHONE.match(lines[index]):
            return lines[:index]
    return lines


def trim_reply(text: str) -> str:
    """The text without the quoted history and the signature."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    start = _quote_start(lines)
    if start is not None:
        lines = lines[:start]
    lines = _without_signature(_without_trailing_quote(lines))
    trimmed = "\n".join(lines).strip()
    return trimmed or (text or "").strip()
