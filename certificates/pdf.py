"""The competency certificate as a PDF: A4 landscape, two pages, with the shared helper `lsp.pdf`.

Front: the BNSP wording in Indonesian with the English beneath, the holder, the scheme, the
validity, the LSP's logo, name and signature, and the QR code of the public verification URL
(inline SVG made by `segno`). Back: the holder's photo and the units. Everything printed comes
from what was copied onto the certificate when it was issued: a later edit to the student or the
scheme never changes a re-render. (The LSP's logo and signature image and the holder's photo are
the current files: they are not copied. All are read from disk, the photo through the project's
fetcher as a `media:` URL; nothing is fetched over HTTP.)

The design is a template, found in this order (`select_template`):
`certificates/pdf/scheme_<scheme id>.html`, `certificates/pdf/lsp_<lsp id>.html`,
`certificates/pdf/default.html`. Its front is in two layers (`templatetags/layers.py`): the base,
what the session's certificates print alike, and the holder's own (name, number, birth, QR code),
printed over it in the places (`slots`) the base keeps for them. A design that prints anything
outside those tags is laid out whole for each certificate (`in_layers`): right, only slower.

Rendering goes through a `Batch`, of one certificate on demand or of a chunk in a worker. Per
process: `lsp.pdf`'s font configuration and base stylesheet, and this stylesheet, parsed once.
Per batch: each design's template looked up once; each LSP's logo and signature read once and
made ready for print (`print_image`), decoded once (WeasyPrint's image cache, shared by the
batch's documents) and made into PDF images once (`drawing.embed_once`); the back, the same
for every certificate of a scheme, and the front's base, the same for every certificate of a
session, each laid out once and drawn once (`drawing.DrawnOnce`). Only the holder's layer of the
front is laid out and drawn per certificate, and the back of a holder with a photo (kept as a
small JPEG when uploaded, which the PDF embeds as it is). The same certificate gives the same
bytes whether it is rendered alone or in a batch, and the same picture as its front laid out
whole (tests/certificates/test_drawing.py compares them).
"""

import html
import io
import logging
import re
from functools import cache

import segno
import weasyprint
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import select_template
from django.utils import translation
from django.utils.safestring import mark_safe
from PIL import Image, ImageOps
from weasyprint.images import RasterImage
from weasyprint.urls import URLFetcherResponse

from lsp import pdf

from .drawing import DrawnOnce, Layered, embed_once
from .templatetags import layers

logger = logging.getLogger(__name__)

TEMPLATE_DIR = "certificates/pdf"
STYLESHEET = "css/certificate.css"
FRONT, BACK = "front", "back"  # the whole front in one layout; the back
BASE, OVERLAY = layers.BASE, layers.OVERLAY  # the front's two layers
SLOT = "data-slot"  # a place the base keeps for the holder's own (templatetags/layers.py)
HOLDER_LEFT_OUT = layers.HOLDER_LEFT_OUT  # the base's mark: the design is in layers
# What a design's untagged rendering may hold and still print nothing: the head's title and style,
# comments and tags (but an image or a drawing prints).
UNPRINTED = re.compile(
    r"<title>.*?</title>|<style\b.*?</style>|<!--.*?-->|<(?!img\b|svg\b)[^>]*>", re.S | re.I
)
BACKS_KEPT = 16  # distinct backs a batch keeps laid out (one per scheme, in practice)
IMAGES_KEPT = 64  # versions of LSPs' images a batch keeps prepared
TITLE = re.compile(r"<title>.*?</title>", re.S)  # metadata: the front's title is the PDF's
PRINT_PIXELS = 500  # the LSP's logo and signature, at most, on their longer side
TRANSPARENT_PIXELS = 320  # … when they are transparent (see print_image)
ORIENTATION = 0x0112  # the EXIF tag of a photo taken sideways
PREPARED = "prepared:"  # the URLs of the LSP's images made ready for print (PreparedFetcher)
MEDIA = "media:"  # an uploaded file, read from the media folder (lsp.pdf.ProjectFetcher)
# Years written out, as BNSP prints them: "3 (tiga) tahun / 3 (three) years".
YEARS_IN_WORDS = {
    1: ("satu", "one"),
    2: ("dua", "two"),
    3: ("tiga", "three"),
    4: ("empat", "four"),
    5: ("lima", "five"),
    6: ("enam", "six"),
    7: ("tujuh", "seven"),
    8: ("delapan", "eight"),
    9: ("sembilan", "nine"),
    10: ("sepuluh", "ten"),
}
ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]


def template_names(certificate) -> list[str]:
    """The scheme's own design, else the LSP's, else the default."""
    return [
        f"{TEMPLATE_DIR}/scheme_{certificate.scheme_id}.html",
        f"{TEMPLATE_DIR}/lsp_{certificate.lsp_id}.html",
        f"{TEMPLATE_DIR}/default.html",
    ]


def verification_url(certificate) -> str:
    """The absolute URL printed in the QR code (it must never change: it is printed for years)."""
    return f"{settings.SITE_URL.rstrip('/')}{certificate.get_verification_url()}"


# --- The QR code ---------------------------------------------------------------------------------
QR_BORDER = 4  # modules of quiet zone around the code, as the QR standard asks


def qr_code(data: str) -> segno.QRCode:
    """The QR code of `data`: error correction M or, when it costs no size, higher (segno)."""
    return segno.make(data, error="m", micro=False)


def qr_svg(data: str) -> str:
    """The QR code of `data` as an inline <svg> element (no XML declaration), sized by the CSS.
    segno draws each row's runs of dark modules as one stroke of a single path: WeasyPrint, which
    parses SVG paths in Python, draws it in a fraction of the time ~700 squares would take."""
    buffer = io.BytesIO()
    qr_code(data).save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        border=QR_BORDER,
        omitsize=True,  # a viewBox only: the stylesheet sets the printed size
        svgclass=None,
        lineclass=None,
    )
    return buffer.getvalue().decode()


# --- What the template prints ---------------------------------------------------------------------
def print_image(field) -> tuple[bytes, str] | None:
    """An LSP's image made ready for print: (bytes, content type), or None without one.

    An opaque image becomes a JPEG of at most PRINT_PIXELS on its longer side (300 dpi up to
    ~4 cm): WeasyPrint embeds a JPEG as it is, but decodes and encodes a PNG again for every PDF it
    writes (~40 ms for an 800-pixel logo). A transparent one stays a PNG, so that it prints well on
    a coloured design or a pre-printed blank, of at most TRANSPARENT_PIXELS (300 dpi up to ~27 mm:
    the default design prints the logo 22 mm high); a batch encodes it for the PDF once
    (`drawing.embed_once`), a certificate rendered alone pays for it (~10 ms).
    """
    if not field:
        return None
    try:
        with field.storage.open(field.name, "rb") as file:
            data = file.read()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, SyntaxError):  # as WeasyPrint does with an image it cannot load
        logger.warning("LSP image %s is not readable: printed without it", field.name)
        return None
    upright = image.getexif().get(ORIENTATION, 1) == 1
    as_it_is = image.format == "JPEG" and image.mode in ("RGB", "L")
    if as_it_is and upright and max(image.size) <= PRINT_PIXELS:
        return data, "image/jpeg"  # already what a PDF embeds as it is
    if not upright:
        image = ImageOps.exif_transpose(image)
    buffer = io.BytesIO()
    if image.mode in ("P", "LA", "PA", "RGBA"):
        image = image.convert("RGBA")
        if image.getchannel("A").getextrema()[0] < 255:
            image.thumbnail((TRANSPARENT_PIXELS, TRANSPARENT_PIXELS), Image.Resampling.LANCZOS)
            image.save(buffer, "PNG")
            return buffer.getvalue(), "image/png"
    image.thumbnail((PRINT_PIXELS, PRINT_PIXELS), Image.Resampling.LANCZOS)
    image = image.convert("L" if image.mode in ("L", "1") else "RGB")
    image.save(buffer, "JPEG", quality=95, subsampling=0)
    return buffer.getvalue(), "image/jpeg"


class PreparedFetcher(pdf.ProjectFetcher):
    """The project's fetcher (static files and media only, never the network), which also
    serves the LSP's images made ready for print, as `prepared:<stored name>` URLs. (As data:
    URLs they would be parsed again with each certificate's HTML: ~100 KB of base64.)"""

    def __init__(self, prepared: dict[str, tuple[bytes, str]]):
        super().__init__()
        self.prepared = prepared

    def fetch(self, url, headers=None):
        if url.startswith(PREPARED):
            if url not in self.prepared:
                raise pdf.RefusedURL(f"Not prepared: {url[:200]}")
            body, kind = self.prepared[url]
            return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})
        return super().fetch(url, headers)


def file_version(field) -> str:
    """What tells one upload of a file from another under the same name: its modification
    time (empty without a file, or one the storage cannot date)."""
    if not field:
        return ""
    try:
        return str(field.storage.get_modified_time(field.name).timestamp())
    except (OSError, NotImplementedError):
        return ""


def years_of(certificate) -> int:
    delta = relativedelta(certificate.valid_until, certificate.issued_on)
    return delta.years + (1 if delta.months or delta.days else 0)


def photo_name(certificate) -> str:
    """The stored name of the holder's photo ("" without one): annotated by the batch's query
    (`rendering.batch_queryset`), else read through the certificate's student."""
    name = getattr(certificate, "holder_photo", None)
    if name is None:
        name = certificate.candidate.photo.name
    return name or ""


def context(certificate, images: dict, *, photo: str = "") -> dict:
    """The certificate's copied fields, and what is derived from them; `photo`: the stored
    name of the holder's photo, fetched from the media folder by the project's fetcher."""
    url = verification_url(certificate)
    years = years_of(certificate)
    years_id, years_en = YEARS_IN_WORDS.get(years, (str(years), str(years)))
    level = certificate.kkni_level
    return {
        "c": certificate,
        "verification_url": url,
        "qr_svg": mark_safe(qr_svg(url)),  # made here, from our own URL
        "years": years,
        "years_id": years_id,
        "years_en": years_en,
        "kkni_roman": ROMAN[level] if level and level < len(ROMAN) else (level or ""),
        **images,
        # The holder's photo, or an empty 3 × 4 frame on the back.
        "photo_url": f"{MEDIA}{photo}" if photo else "",
    }


# --- Rendering ------------------------------------------------------------------------------------
@cache
def stylesheet() -> weasyprint.CSS:
    """static/css/certificate.css, parsed once per process (after the base stylesheet)."""
    path = pdf.ProjectFetcher._static_path(STYLESHEET)
    return weasyprint.CSS(
        filename=str(path), font_config=pdf._fonts(), url_fetcher=pdf.ProjectFetcher()
    )


def stylesheets() -> list[weasyprint.CSS]:
    return [pdf._base_stylesheet(), stylesheet()]


def layout(
    markup: str, *, image_cache: dict | None = None, fetcher: pdf.ProjectFetcher | None = None
) -> weasyprint.Document:
    """Lay out the HTML with the shared fonts, stylesheets and fetcher (one layout at a time)."""
    with pdf._lock:
        document = weasyprint.HTML(string=markup, url_fetcher=fetcher or pdf.ProjectFetcher())
        return document.render(
            font_config=pdf._fonts(), stylesheets=stylesheets(), cache=image_cache
        )


def write(document: weasyprint.Document) -> bytes:
    with pdf._lock:
        return document.write_pdf()


class Batch:
    """Renders certificates, reusing what does not change between them (see the module's doc)."""

    # What the batch lays out or draws once (certificates/drawing.py); off only to measure.
    layer_front = True  # the front's base laid out once, the holder's layer for each
    draw_back_once = True  # the back and the front's base drawn once and replayed
    embed_images_once = True
    keep_templates = True  # each design looked up once (not by the process's on-demand batch)

    def __init__(self):
        self.templates = {}  # (scheme id, LSP id) -> the template
        self.images = {}  # LSP id -> the URLs of its logo and signature
        self.prepared = {}  # those URLs -> the images made ready for print
        self.fetcher = PreparedFetcher(self.prepared)
        self.image_cache = {}  # WeasyPrint's fetched and decoded images, by URL
        self.backs = {}  # the back's HTML -> its laid-out pages
        self.bases = {}  # the front's base's HTML -> its laid-out page and slots

    def template_for(self, certificate):
        key = (certificate.scheme_id, certificate.lsp_id)
        if key not in self.templates:
            template = select_template(template_names(certificate))
            if not self.keep_templates:  # the loaders remember them: a deployment's restart
                return template  # (or, in tests, their reset) brings in a new design
            self.templates[key] = template
        return self.templates[key]

    def images_for(self, certificate) -> dict:
        """The LSP's logo and signature (`logo_url`, `signature_url`), read and prepared once
        per version of the files (a new upload, even under the same name, is read again)."""
        lsp = certificate.lsp
        fields = (("logo_url", lsp.logo), ("signature_url", lsp.signatory_signature))
        versions = tuple((field.name, file_version(field)) for _key, field in fields)
        key = (certificate.lsp_id, versions)
        if key not in self.images:
            if len(self.images) >= IMAGES_KEPT:  # a long-lived batch: start again
                for kept in (self.images, self.prepared, self.image_cache):
                    kept.clear()
            urls = {}
            for (name, field), (_name, version) in zip(fields, versions, strict=True):
                image = print_image(field)
                urls[name] = f"{PREPARED}{field.name}?v={version}" if image else ""
                if image:
                    self.prepared[urls[name]] = image
            self.images[key] = urls
        return self.images[key]

    def values(self, certificate) -> dict:
        return context(certificate, self.images_for(certificate), photo=photo_name(certificate))

    def part(self, certificate, part: str, values: dict | None = None, **extra) -> str:
        """One part's HTML (`FRONT`, `BASE`, `OVERLAY`, `BACK`), in Indonesian whatever the
        reader's language."""
        template = self.template_for(certificate)
        values = self.values(certificate) if values is None else values
        with translation.override(pdf.PDF_LANGUAGE):
            return template.render({**values, **extra, "part": part})

    def html(self, certificate) -> tuple[str, str]:
        """The whole front's HTML (both layers, one layout) and the back's."""
        values = self.values(certificate)
        return self.part(certificate, FRONT, values), self.part(certificate, BACK, values)

    def layout(self, markup: str) -> weasyprint.Document:
        document = layout(markup, image_cache=self.image_cache, fetcher=self.fetcher)
        if self.embed_images_once:
            for image in self.image_cache.values():
                # The LSP's images: their PDF objects built once (`drawing.embed_once`).
                if isinstance(image, RasterImage):
                    embed_once(image)
        return document

    def _kept(self, kept: dict, key: str, make):
        """What `make()` gives for `key`, kept (the oldest of BACKS_KEPT makes room)."""
        if key not in kept:
            if len(kept) >= BACKS_KEPT:
                kept.pop(next(iter(kept)))
            kept[key] = make()
        return kept[key]

    def _drawn_once(self, pages: list) -> list:
        return [DrawnOnce(page) for page in pages] if self.draw_back_once else pages

    def back(self, markup: str, *, reused: bool = True) -> list:
        """The back's pages, laid out once for every certificate whose back prints the same;
        a back that is the holder's own (`reused=False`: a photo) is laid out and not kept."""
        if not reused:
            return self.layout(markup).pages
        # …and drawn once: each PDF gets the drawing replayed (`drawing.DrawnOnce`).
        key = TITLE.sub("", markup, count=1)
        return self._kept(self.backs, key, lambda: self._drawn_once(self.layout(markup).pages))

    def base(self, markup: str) -> tuple[object, dict] | None:
        """The front's base layer, laid out (and drawn) once for every certificate whose base
        prints the same, and where it keeps its slots; None for a base of more than one page."""

        def make():
            pages = self.layout(markup).pages
            if len(pages) != 1:
                return None
            return self._drawn_once(pages)[0], slots_of(pages[0])

        return self._kept(self.bases, TITLE.sub("", markup, count=1), make)

    def front(self, certificate, values: dict) -> list:
        """The front's pages: its base and the holder's layer over it, or, for a design without
        layers (`templatetags/layers.py`), the whole front laid out for this certificate."""
        base = None
        if self.layer_front and in_layers(self.part(certificate, layers.UNTAGGED, values)):
            base = self.base(self.part(certificate, BASE, values))
        if base is None:
            return self.layout(self.part(certificate, FRONT, values))
        page, slots = base
        overlay = self.layout(self.part(certificate, OVERLAY, values, slots=slots))
        (holders,) = overlay.pages  # its boxes are where the base's are: one page
        return overlay.copy([Layered(page, holders)])

    def document(self, certificate) -> weasyprint.Document:
        values = self.values(certificate)
        front = self.front(certificate, values)
        back = self.part(certificate, BACK, values)
        return front.copy([*front.pages, *self.back(back, reused=not photo_name(certificate))])

    def render(self, certificate) -> bytes:
        content = write(self.document(certificate))
        photo = photo_name(certificate)
        if photo:  # used once: not kept in the batch's image cache
            self.image_cache.pop(f"{MEDIA}{photo}", None)
        return content


def in_layers(untagged: str) -> bool:
    """Whether a design's front is all in layers: its `untagged` part (neither `fixed` nor
    `holder`) marks a holder's part left out and prints nothing else (a design extending the
    default and overriding a block without the tags is laid out whole)."""
    if HOLDER_LEFT_OUT not in untagged:
        return False
    return not html.unescape(UNPRINTED.sub("", untagged)).strip()


def slots_of(page) -> dict[str, str]:
    """Where the base layer keeps each slot (`data-slot`), as the style that puts the holder's
    box there: its border box, from the padding box of the nearest positioned box around it
    (the containing block of an absolute box), in CSS pixels."""
    found = {}

    def walk(box, origin):
        element = getattr(box, "element", None)
        name = element.get(SLOT) if element is not None else None
        if name and name not in found:  # the element's own box comes before its anonymous ones
            found[name] = (
                "position:absolute;margin:0;box-sizing:border-box;"
                f"left:{box.border_box_x() - origin[0]:.3f}px;"
                f"top:{box.border_box_y() - origin[1]:.3f}px;"
                f"width:{box.border_width():.3f}px;height:{box.border_height():.3f}px"
            )
        if box.style["position"] in ("relative", "absolute", "fixed"):
            origin = (box.padding_box_x(), box.padding_box_y())
        for child in getattr(box, "children", ()):
            walk(child, origin)

    walk(page._page_box, (0, 0))
    return found


def warm() -> None:
    """What the first certificate of a process would pay for (~0.5 s: the fonts loaded and shaped
    once, the stylesheets parsed): for a web or worker process to call when it starts."""
    write(layout("<p>Sertifikat <b>Kompetensi</b> <i>Certificate</i></p>"))


def render_document(certificate) -> weasyprint.Document:
    """One certificate's laid-out pages (for counting them, reading their text)."""
    return Batch().document(certificate)


_on_demand: Batch | None = None


def on_demand_batch() -> Batch:
    """The process's batch for certificates rendered one at a time (a download, a reissue):
    the LSP's images prepared and each scheme's back laid out once per process, not per
    request (~0.35 s of a ~0.5 s render). Forgotten when the media settings change (tests)."""
    global _on_demand
    if _on_demand is None:
        _on_demand = Batch()
        _on_demand.keep_templates = False
    return _on_demand


def forget_on_demand_batch() -> None:
    global _on_demand
    _on_demand = None


@receiver(setting_changed)
def _media_changed(*, setting, **kwargs):
    if setting in ("MEDIA_ROOT", "STORAGES", "STATIC_ROOT", "STATICFILES_DIRS"):
        forget_on_demand_batch()


def render(certificate) -> bytes:
    """One certificate's PDF, on demand."""
    return on_demand_batch().render(certificate)


def filename(certificate) -> str:
    return f"sertifikat-{certificate.number}-{certificate.holder_name}.pdf"
