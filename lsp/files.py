"""Uploaded files: accepted by their content, never by their name; stored under random names."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# The first bytes of each kind we accept. SVG and HTML are never accepted: they can carry script.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg"}


def sniff(head: bytes) -> str | None:
    for kind, signatures in SIGNATURES.items():
        if head.startswith(signatures):
            return kind
    return None


@deconstructible
class ContentTypeValidator:
    """Checks an upload's content (magic bytes) and size."""

    def __init__(self, kinds=("png", "jpeg")):
        self.kinds = tuple(kinds)

    def __call__(self, file):
        if file.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The file is too large (at most %(mb)s MB).")
                % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
                code="too_large",
            )
        position = file.tell() if hasattr(file, "tell") else 0
        file.seek(0)
        head = file.read(16)
        file.seek(position)
        if sniff(head) not in self.kinds:
            raise ValidationError(
                _("This file type is not accepted. Upload %(kinds)s.")
                % {"kinds": ", ".join(k.upper() for k in self.kinds)},
                code="bad_type",
            )

    def __eq__(self, other):
        return isinstance(other, ContentTypeValidator) and self.kinds == other.kinds


@deconstructible
class RandomName:
    """upload_to keeping only a random name: a stored path reveals nothing and never clashes."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename):
        suffix = PurePosixPath(filename).suffix.lower()[:5]
        return f"{self.folder}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and self.folder == other.folder


image_validator = ContentTypeValidator(("png", "jpeg"))
document_validator = ContentTypeValidator(("pdf", "png", "jpeg"))
