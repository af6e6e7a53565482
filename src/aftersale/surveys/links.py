"""The signed links in a survey e-mail: one per score, no password.

A link names the shop in its address and signs the flow run that asked (and the language and
scale the question was in) with a salt that holds the shop's id, so a link of one shop never
opens at another and a changed run id is refused. The score is a plain query parameter: it only
preselects the answer on the page (a mail scanner that follows every link records nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from aftersale.surveys.models import SCORES

SALT = "aftersale.surveys.answer"
# A link stays valid this long after the question was sent.
LINK_DAYS = 90


@dataclass(frozen=True)
class SurveyLink:
    run_id: int
    language: str
    scale: str


def _signer(shop_id: int) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{SALT}:{shop_id}")


def make_token(shop_id: int, run_id: int, language: str, scale: str) -> str:
    """The scale the question was asked on is in the link: a shop that changes its scale
    later still gets the answers to earlier e-mails on the scale they showed."""
    data = {"r": run_id, "l": language, "s": scale}
    return _signer(shop_id).sign_object(data, compress=True)


def read_token(shop_id: int, token: str) -> SurveyLink | None:
    """The run and language of a valid, unexpired link of this shop, else None."""
    try:
        data = _signer(shop_id).unsign_object(token, max_age=LINK_DAYS * 86400)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    if data.get("s") not in SCORES:
        return None
    return SurveyLink(run_id=data["r"], language=str(data.get("l") or ""), scale=data["s"])


def survey_path(shop, token: str) -> str:
    return reverse("portal:survey", kwargs={"shop_slug": shop.slug, "token": token})


def score_links(shop, run_id: int, language: str, scale: str) -> list[dict]:
    """One absolute link per score of ``scale``, lowest first, as plain template values."""
    url = settings.SITE_URL + survey_path(shop, make_token(shop.pk, run_id, language, scale))
    return [{"score": score, "url": f"{url}?score={score}"} for score in SCORES[scale]]
