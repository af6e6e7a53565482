"""The audit log of staff access: the only way to add an entry. There is no way to change or
remove one (see ``AuditEntry``)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from aftersale.privacy.models import AuditEntry


@dataclass
class Acting:
    """Who is acting in the current request and from where (set by the back-office's
    ``AuditMiddleware``; the API's token check fills in the token)."""

    client_address: str = ""
    user: object | None = None
    name: str = ""


acting: ContextVar[Acting | None] = ContextVar("aftersale_acting", default=None)


def current_acting() -> Acting:
    return acting.get() or Acting()


def record_access(
    shop,
    action: str,
    *,
    actor=None,
    actor_name: str = "",
    subject=None,
    detail: str = "",
    client_address: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry. ``actor`` is the signed-in user (or None for a token or the system,
    then ``actor_name`` says who); ``subject`` is the object acted on (only its type and id are
    kept, never its contents). Without an actor, the one acting in this request is used."""
    if actor is None and not actor_name:
        now_acting = current_acting()
        actor, actor_name = now_acting.user, now_acting.name
        client_address = client_address or now_acting.client_address
    if actor is not None and not actor_name:
        actor_name = actor.get_username()
    return AuditEntry.objects.create(
        shop=shop,
        at=at or timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=_storable(actor_name, 150) or "system",
        action=action,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        detail=_storable(detail, 300),
        client_address=_storable(client_address, 64),
    )


def _storable(text: str, length: int) -> str:
    """Text as a database can keep it: a request path may carry a NUL, which PostgreSQL
    refuses in a text column (the entry must still be written)."""
    return text.replace("\x00", "\N{REPLACEMENT CHARACTER}")[:length]
