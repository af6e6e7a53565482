"""Test photos made with Pillow: a JPEG carrying GPS coordinates and an orientation tag."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_location(name="holiday.jpg", width=40, height=20) -> SimpleUploadedFile:
    """A ``width`` × ``height`` JPEG whose EXIF says where it was taken (Helsinki) and that it
    must be turned 90° clockwise to be upright (orientation 6)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"  # camera make
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (60.0, 10.0, 12.0), 3: "E", 4: (24.0, 56.0, 30.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name="photo.png", size=(30, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def not_an_image(name="virus.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is not a picture", content_type="image/jpeg")
