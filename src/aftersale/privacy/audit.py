"""The audit log of staff access: the only way to add an entry. There is no way to change or
remove one (see ``AuditEntry``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from aftersale.privacy.models import AuditEntry


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
    kept, never its contents)."""
    if actor is not None and not actor_name:
        actor_name = actor.get_username()
    return AuditEntry.objects.create(
        shop=shop,
        at=at or timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor_name[:150] or "system",
        action=action,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        detail=detail[:300],
        client_address=client_address[:64],
    )
