"""Serving a stored return photo, after the caller has checked who is asking."""

from __future__ import annotations

from django.http import FileResponse, Http404

from aftersale.returns.models import ReturnPhoto


def photo_response(photo: ReturnPhoto) -> FileResponse:
    """The photo with its checked content type, private to this viewer and never cached."""
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
