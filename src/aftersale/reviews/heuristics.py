"""Flags for the moderator: likely spam and profanity in Finnish, Swedish and English.

They only flag. A flagged review waits in the queue like any other and is published or
rejected by a person, with a reason (auto-publish holds flagged reviews for a person to look
at). The word lists are short on purpose: the most common words, matched as whole words or
as the start of a word (Finnish and Swedish inflect), never inside another word.
"""

from __future__ import annotations

import re

LINK = re.compile(r"(https?://|www\.|\b[\w-]+\.(com|net|org|ru|cn|xyz|top|info|biz)\b)", re.I)
REPEATED = re.compile(r"(.)\1{5,}")
SPAM_WORDS = (
    "viagra", "casino", "kasino", "crypto", "bitcoin", "forex", "loan", "lainaa",
    "pikavippi", "free money", "click here", "klikkaa tästä", "klicka här", "onlyfans",
    "whatsapp", "telegram", "promo code", "alennuskoodi", "rabattkod", "seo services",
)  # fmt: skip
# Stems: a word starting with one of these is flagged (vittu, vitun, vittumainen; jävla,
# jävlar; fucking, fucker). Short words that begin innocent ones ("fan" in "fantastic",
# "kuk" in "kukka") are matched only whole.
PROFANITY_STEMS = (
    "vittu", "vitun", "perkele", "saatana", "helvet", "kusipää", "mulkku", "huora",  # fi
    "jävla", "jävlar", "jävel", "fittan", "fitta",  # sv
    "fuck", "bitch", "bastard", "asshole", "cunt",  # en
)  # fmt: skip
PROFANITY_WORDS = {"paska", "paskaa", "paskat", "fan", "kuk", "skit", "hora", "shit", "dick"}
SPAM = "spam"
PROFANITY = "profanity"
ALL_CAPS_MIN_LETTERS = 20


def _words(text: str) -> list[str]:
    return re.findall(r"[\wåäöÅÄÖ]+", text.lower())


def flags_for(title: str, body: str, author_name: str = "") -> list[str]:
    """What the heuristics notice in a review: ``["spam", "profanity"]``, one or neither,
    each with its evidence after a colon (e.g. ``"spam: link"``)."""
    text = " ".join(part for part in (title, body, author_name) if part)
    lowered = text.lower()
    found: list[str] = []
    spam = []
    if LINK.search(text):
        spam.append("link")
    if REPEATED.search(text):
        spam.append("repeated characters")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= ALL_CAPS_MIN_LETTERS and all(c.isupper() for c in letters):
        spam.append("all capitals")
    spam += [f"“{word}”" for word in SPAM_WORDS if re.search(rf"\b{re.escape(word)}\b", lowered)]
    if spam:
        found.append(f"{SPAM}: {', '.join(spam)}")
    words = _words(text)
    swearing = sorted(
        {stem for stem in PROFANITY_STEMS for w in words if w.startswith(stem)}
        | {w for w in words if w in PROFANITY_WORDS}
    )
    if swearing:
        found.append(f"{PROFANITY}: {', '.join(swearing)}")
    return found
