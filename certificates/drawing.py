"""What a batch of certificates draws once and replays into every PDF: the back, the LSP's images.

**The back.** WeasyPrint draws each page of each PDF it writes: for the back of a certificate,
the same table of units for every certificate of a scheme, that is ~30 ms of Python a
certificate. `DrawnOnce` wraps such a page: the first time it is painted, it draws onto a scratch
stream of its own (its own fonts, its own resources) and keeps what it drew: the PDF operators,
the glyphs each font used (with their widths and text) and the graphics states. Each PDF then gets
those operators appended to its page's stream, the glyphs added to its fonts (so that the subset
embedded holds them, and the text can be copied) and the graphics states added to its resources.
The result is the same PDF whichever certificate of a batch the page was first drawn for: every
PDF, the first one too, gets the replayed drawing. Pages drawn with text, lines, colours and
images are replayed (each image is added to the PDF's own list of images, which writes it once):
a page whose drawing adds a pattern, a shading or a group to its resources is painted again in
each PDF, as WeasyPrint does (`replayable` is False). The back with the holder's photo is never
wrapped (it differs for every holder).

**The front's base.** The front's base layer (what the session's certificates print alike:
certificates/templatetags/layers.py) is drawn once the same way, logo and signature included;
`Layered` paints it and then the holder's own layer, laid out for each certificate, onto one page.

**The images.** For a PNG with transparency (an LSP's logo), WeasyPrint decodes the image and
encodes its colours and its alpha channel again for each PDF it writes (~10 ms a certificate).
`embed_once(image)` makes a decoded image build those PDF objects once; each PDF gets its own
copies of them (writing a PDF numbers its objects), holding the same bytes.

Both lean on WeasyPrint's PDF internals (`weasyprint.pdf.stream.Stream`, `RasterImage.
get_x_object`): tested against the version pinned in requirements.lock
(tests/certificates/test_drawing.py compares the text, the pixels and the bytes).
"""

import copy

import pydyf

# Resources a replayed drawing may add: the graphics states of its colours' opacity.
REPLAYED_RESOURCES = ("ExtGState",)
REFUSED_RESOURCES = ("Pattern", "Shading")


class Drawing:
    """What painting a page put onto a scratch stream."""

    def __init__(self, page, stream, scale):
        self.scale = scale
        resources = pydyf.Dictionary(
            {
                "ExtGState": pydyf.Dictionary(),
                "XObject": pydyf.Dictionary(),
                "Pattern": pydyf.Dictionary(),
                "Shading": pydyf.Dictionary(),
                "ColorSpace": stream._resources["ColorSpace"],
            }
        )
        self.fonts = {}  # the page's own fonts: every glyph it draws is recorded in them
        self.images = {}  # the images it draws, by their name in the PDF's resources
        scratch = stream.clone(fonts=self.fonts, resources=resources, images=self.images, tags=None)
        page.paint(scratch, scale)
        self.operators = list(scratch.stream)
        self.states = dict(resources["ExtGState"])
        self.replayable = (
            stream._tags is None
            and not any(resources[name] for name in REFUSED_RESOURCES)
            # Images only: a group (an XObject of drawing) would need its own resources.
            and all(name in self.images for name in resources["XObject"])
            # States named by their number ("s0") would clash with the PDF's own.
            and all(name[:1] in ("a", "A") for name in self.states)
        )

    def replay(self, stream) -> None:
        """Append the drawing to this page's stream, its glyphs to the PDF's fonts."""
        stream.stream.extend(self.operators)
        for name, state in self.states.items():
            stream._resources["ExtGState"].setdefault(name, pydyf.Dictionary(dict(state)))
        for name, drawn in self.images.items():
            # As `Stream.add_image` does; writing the PDF builds each image once (`x_object`).
            stream._resources["XObject"][name] = None
            kept = stream._images.get(name)
            if kept is None:  # the PDF's own entry: writing it sets its `x_object`
                stream._images[name] = {
                    **drawn,
                    "dpi_ratios": set(drawn["dpi_ratios"]),
                    "x_object": None,
                }
            else:
                kept["dpi_ratios"] |= drawn["dpi_ratios"]
        fonts = stream._fonts
        for key, used in self.fonts.items():
            font = fonts.get(key)
            if font is None:
                fonts[key] = _fresh_copy(used)
                continue
            for glyph, text in used.to_unicode.items():
                font.to_unicode.setdefault(glyph, text)
            for glyph, width in used.widths.items():
                font.widths.setdefault(glyph, width)
            for codepoint, glyph in used.missing.items():
                font.missing.setdefault(codepoint, glyph)


def _fresh_copy(font):
    """A font of the PDF's own: writing a PDF subsets its fonts in place."""
    fresh = copy.copy(font)
    fresh.widths = dict(font.widths)
    fresh.to_unicode = dict(font.to_unicode)
    fresh.missing = dict(font.missing)
    fresh.variations = dict(font.variations)
    fresh.tables = list(font.tables)
    return fresh


class DrawnOnce:
    """A `weasyprint.Page` whose drawing is recorded the first time and replayed afterwards.

    Everything but `paint` is the page's own (its size, links, anchors, forms)."""

    def __init__(self, page):
        self._page = page
        self._drawing: Drawing | None = None

    def __getattr__(self, name):
        return getattr(self._page, name)

    def paint(self, stream, scale=1):
        if self._drawing is None:
            self._drawing = Drawing(self._page, stream, scale)
        if self._drawing.replayable and self._drawing.scale == scale:
            self._drawing.replay(stream)
        else:
            self._page.paint(stream, scale)

    @property
    def replayable(self) -> bool | None:
        """None until first painted."""
        return None if self._drawing is None else self._drawing.replayable


class Layered:
    """One page of two layers, laid out apart: the `base` (a `DrawnOnce`, shared by a session's
    certificates) painted first, the holder's `overlay` over it. The page is the overlay's (its
    size, links, anchors and forms): both are laid out on the same page size."""

    def __init__(self, base, overlay):
        self._base = base
        self._overlay = overlay

    def __getattr__(self, name):
        return getattr(self._overlay, name)

    def paint(self, stream, scale=1):
        self._base.paint(stream, scale)
        self._overlay.paint(stream, scale)


# --- The images ----------------------------------------------------------------------------------
def embed_once(image) -> None:
    """Make this decoded image (a `weasyprint.images.RasterImage`) build its PDF image once."""
    if getattr(image, "_embedded_once", False):
        return
    build = image.get_x_object
    built = {}

    def get_x_object(interpolate, dpi_ratio):
        key = (interpolate, dpi_ratio)
        if key not in built:
            built[key] = build(interpolate, dpi_ratio)  # kept: never handed to a PDF
        return _fresh_stream(built[key])

    image.get_x_object = get_x_object
    image._embedded_once = True


def _fresh_stream(stream: pydyf.Stream) -> pydyf.Stream:
    """A copy for one PDF: the same data, its own dictionary (writing replaces the mask by a
    reference) and its own mask."""
    extra = pydyf.Dictionary(
        {
            key: _fresh_stream(value) if isinstance(value, pydyf.Stream) else value
            for key, value in stream.extra.items()
        }
    )
    return pydyf.Stream(list(stream.stream), extra, stream.compress)
