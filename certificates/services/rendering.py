"""Rendering certificates: the PDF's bytes, its SHA-256, and the file kept in private storage.

- `render_certificate(certificate)`: the bytes, for one certificate on demand.
- `store_pdf(certificate)`: renders, hashes and saves into `certificate.pdf` and `sha256`.
- `render_many(certificates)` / `store_many(certificates)`: a batch in one process, reusing the
  fonts, the parsed stylesheets, each design's template, each LSP's images and each scheme's
  back (`certificates.pdf.Batch`), with the garbage collector quieted (`collector_quieted`). A
  certificate that fails is reported and the others go on. A worker storing a chunk one by one
  does the same with `store_pdf(certificate, batch=batch)` inside `collector_quieted()`.

The stored file is what the holder downloads; the SHA-256 lets anyone check a copy is untouched.
"""

import gc
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db.models import F

from .. import pdf
from ..models import Certificate

logger = logging.getLogger(__name__)


Batch = pdf.Batch


def render_certificate(certificate: Certificate, *, batch: Batch | None = None) -> bytes:
    """One certificate's PDF; with a `batch`, reusing what the batch has already read."""
    return batch.render(certificate) if batch is not None else pdf.render(certificate)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def save_pdf(certificate: Certificate, content: bytes) -> tuple[bytes, str]:
    """Keep the rendered bytes (a new random name) and their hash; the old file is removed."""
    digest = sha256_of(content)
    old = certificate.pdf.name if certificate.pdf else ""
    certificate.pdf.save("sertifikat.pdf", ContentFile(content), save=False)
    certificate.sha256 = digest
    # A plain UPDATE, without model signals: keeping the file moves no figure (the dashboards
    # would refresh the session's for each certificate) and the audit trail ignores both fields.
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name, sha256=digest)
    if old and old != certificate.pdf.name:
        certificate.pdf.storage.delete(old)
    return content, digest


def store_pdf(certificate: Certificate, *, batch: Batch | None = None) -> tuple[bytes, str]:
    """Render, hash and store one certificate's PDF; returns (bytes, sha256).

    A worker storing a chunk passes one `Batch()` to every call (and loads the certificates with
    `batch_queryset()`): the chunk then shares the template, the LSP's images and their decoding.
    """
    return save_pdf(certificate, render_certificate(certificate, batch=batch))


def batch_queryset():
    """What a batch reads, in one query: each certificate with its LSP (the logo and signature)
    and the stored name of its holder's photo (`holder_photo`, for `pdf.photo_name`)."""
    return Certificate.objects.select_related("lsp").annotate(holder_photo=F("candidate__photo"))


@contextmanager
def collector_quieted():
    """While a batch renders, the objects already loaded (Django, the fonts, the stylesheets)
    are left out of the garbage collector's full passes (`gc.freeze`): WeasyPrint makes many
    short-lived objects, and each full pass would walk all of those loaded ones again (~5 ms a
    certificate). They are handed back afterwards; nothing is kept longer than the batch."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def render_many(certificates: Iterable[Certificate]) -> Iterator[tuple[Certificate, bytes]]:
    """(certificate, PDF bytes) for each, rendered with what the batch can share."""
    batch = Batch()
    with collector_quieted():
        for certificate in certificates:
            yield certificate, batch.render(certificate)


def store_many(
    certificates: Iterable[Certificate],
    *,
    on_error: Callable[[Certificate, Exception], None] | None = None,
) -> int:
    """Render, hash and store each certificate's PDF; returns how many were stored.

    A certificate that fails is passed to `on_error` (or logged) and the batch goes on.
    """
    batch = Batch()
    stored = 0
    with collector_quieted():
        for certificate in certificates:
            try:
                store_pdf(certificate, batch=batch)
            except Exception as error:
                if on_error is None:
                    logger.exception("Certificate %s: PDF not stored", certificate.pk)
                else:
                    on_error(certificate, error)
                continue
            stored += 1
    return stored
