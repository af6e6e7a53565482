"""What a customer may attach to a ticket: a few kinds of file, each checked by its content.

``Upload`` is a file as it arrived (a form's upload, an e-mail's part, an API's base64); the
services take a list of them. ``check_uploads`` raises a ValidationError naming the file and
what to do when a file is of a kind we don't keep or is too large.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# The kinds we keep, each with how its content starts (None: plain text, checked as UTF-8).
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
    "text/plain": None,
}
ACCEPT = ",".join(SIGNATURES)


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    content: bytes

    @classmethod
    def from_file(cls, uploaded) -> Upload:
        """From a Django ``UploadedFile`` (reads at most one byte more than allowed)."""
        content = uploaded.read(MAX_BYTES + 1)
        return cls(uploaded.name or "", uploaded.content_type or "", content)


def content_matches(content_type: str, content: bytes) -> bool:
    if content_type not in SIGNATURES:
        return False
    starts = SIGNATURES[content_type]
    if starts is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in content
    if content_type == "image/webp" and content[8:12] != b"WEBP":
        return False
    return content.startswith(starts)


def check_uploads(uploads) -> list[Upload]:
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("Attach at most %(count)d files; you chose %(chosen)d.")
            % {"count": MAX_FILES, "chosen": len(uploads)}
        )
    for upload in uploads:
        name = upload.name or _("(no name)")
        if len(upload.content) > MAX_BYTES:
            raise ValidationError(
                _("%(name)s is larger than %(limit)s; send a smaller file.")
                % {"name": name, "limit": filesizeformat(MAX_BYTES)}
            )
        if not upload.content:
            raise ValidationError(_("%(name)s is empty.") % {"name": name})
        if not content_matches(upload.content_type.split(";")[0].strip().lower(), upload.content):
            raise ValidationError(
                _(
                    "%(name)s is not a picture (JPEG, PNG, GIF, WebP), a PDF or a text file; "
                    "attach one of those."
                )
                % {"name": name}
            )
    return uploads
