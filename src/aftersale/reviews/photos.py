"""Checking and cleaning a review photo: the real image type read by Pillow (not the name or
the browser's word), a size limit, and a fresh encoding that keeps the picture the right way
up but carries no EXIF data at all (no GPS location, camera serial or time)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 8 * 1024 * 1024
# Larger photos are scaled down to this many pixels on the long side: plenty for a product
# page, and a decompression bomb never reaches the encoder.
PHOTO_MAX_SIDE = 2000
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoRejected(Exception):
    """The upload is not a photo we keep; the message names the file and what to do."""


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    width: int
    height: int
    content_type: str


def clean_photo(upload) -> CleanPhoto:
    """The photo re-encoded in its own format without metadata, or ``PhotoRejected``."""
    name = getattr(upload, "name", "") or _("the photo")
    if upload.size > PHOTO_MAX_BYTES:
        raise PhotoRejected(
            _("%(name)s is too large (%(size)s MB): the limit is %(limit)s MB per photo.")
            % {
                "name": name,
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "limit": PHOTO_MAX_BYTES // 1024 // 1024,
            }
        )
    not_a_photo = PhotoRejected(
        _("%(name)s is not a photo we can accept: upload a JPEG, PNG or WebP image.")
        % {"name": name}
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise not_a_photo
            if image.width * image.height > MAX_PIXELS:
                raise not_a_photo
            image_format = image.format
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise not_a_photo from None
    upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    if image_format == "JPEG":
        upright.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "PNG":
        upright.save(out, "PNG", optimize=True)
    else:
        upright.save(out, "WEBP", quality=88)
    return CleanPhoto(
        content=ContentFile(out.getvalue()),
        width=upright.width,
        height=upright.height,
        content_type=FORMATS[image_format],
    )
