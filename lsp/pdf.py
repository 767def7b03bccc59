"""PDFs: one small WeasyPrint helper shared by every app that prints.

- The font configuration and the base stylesheet (`static/css/pdf.css`: A4, DejaVu Sans, tables)
  are built once per process and reused by every document.
- `ProjectFetcher` is the only URL fetcher: it loads the project's static files (`static:css/x.css`,
  found like `{% static %}` finds them) and its media (`media:lsp/logo/x.png`, the stored name of
  an upload), `file://` URLs inside those folders, and `data:` URLs. Everything else (http, https,
  ftp, `file://` elsewhere) is refused: a PDF never reaches the network or another file.
- Documents are rendered in Indonesian, whatever the reader's interface language: they are the
  BNSP forms an LSP signs and files.

`render_pdf(template, context)` gives the bytes, `pdf_response(...)` an inline download.
"""

import mimetypes
import posixpath
import re
import threading
import unicodedata
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

# WeasyPrint's per-page INFO logging is quietened in settings.LOGGING ("weasyprint.progress").
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

PDF_LANGUAGE = "id"
BASE_STYLESHEET = "css/pdf.css"
PDF_CONTENT_TYPE = "application/pdf"


class RefusedURL(ValueError):
    """A URL the PDF may not load. WeasyPrint logs it and leaves the image or stylesheet out."""


def _clean_relative(path: str) -> str:
    """A relative path inside a folder, or RefusedURL: no absolute path, no `..`, no NUL."""
    path = unquote(path).lstrip("/") if path else ""
    normal = posixpath.normpath(path)
    if not path or "\x00" in path or normal.startswith("..") or normal in (".", ""):
        raise RefusedURL(path)
    return normal


def allowed_roots() -> list[Path]:
    """The folders a `file://` URL may point into: static files and media."""
    roots = [settings.MEDIA_ROOT, *(_dir_of(d) for d in settings.STATICFILES_DIRS)]
    if settings.STATIC_ROOT:
        roots.append(settings.STATIC_ROOT)
    return [Path(root).resolve() for root in roots if root]


def _dir_of(entry) -> str:
    """STATICFILES_DIRS entries are paths or (prefix, path) pairs."""
    return entry[1] if isinstance(entry, tuple | list) else entry


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


class ProjectFetcher(URLFetcher):
    """Loads only the project's static files and media; refuses the network and other paths."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",))  # the parent class only decodes data:

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "static":
            return self._file(self._static_path(url[len("static:") :]))
        if scheme == "media":
            return self._media(url[len("media:") :])
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if _inside(path, allowed_roots()) and path.is_file():
                return self._file(path)
        raise RefusedURL(f"Not loaded into a PDF: {url[:200]}")

    @staticmethod
    def _static_path(name: str) -> Path:
        name = _clean_relative(name)
        found = finders.find(name)
        if found:
            return Path(found).resolve()
        if settings.STATIC_ROOT:
            path = (Path(settings.STATIC_ROOT) / name).resolve()
            if _inside(path, allowed_roots()) and path.is_file():
                return path
        raise RefusedURL(f"No static file {name}")

    @staticmethod
    def _file(path: Path) -> URLFetcherResponse:
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path2url(str(path)), body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    @staticmethod
    def _media(name: str) -> URLFetcherResponse:
        name = _clean_relative(name)
        if not default_storage.exists(name):
            raise RefusedURL(f"No media file {name}")
        with default_storage.open(name, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            f"media:{name}", body=body, headers={"Content-Type": content_type}
        )


@cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def _base_stylesheet() -> weasyprint.CSS:
    path = ProjectFetcher._static_path(BASE_STYLESHEET)
    return weasyprint.CSS(filename=str(path), font_config=_fonts(), url_fetcher=ProjectFetcher())


# Pango's font map is shared by every document of the process: one layout at a time.
_lock = threading.Lock()


def render_html(template_name: str, context: dict, *, request=None) -> str:
    with translation.override(PDF_LANGUAGE):
        return render_to_string(template_name, context, request=request)


def render_document(
    template_name: str, context: dict, *, request=None, extra_css: str = ""
) -> weasyprint.Document:
    """The laid-out document: its `.pages` can be counted, `write_pdf()` gives the bytes."""
    html = render_html(template_name, context, request=request)
    with _lock:
        stylesheets = [_base_stylesheet()]
        if extra_css:
            stylesheets.append(weasyprint.CSS(string=extra_css, font_config=_fonts()))
        document = weasyprint.HTML(string=html, url_fetcher=ProjectFetcher())
        return document.render(font_config=_fonts(), stylesheets=stylesheets)


def render_pdf(template_name: str, context: dict, *, request=None, extra_css: str = "") -> bytes:
    document = render_document(template_name, context, request=request, extra_css=extra_css)
    with _lock:
        return document.write_pdf()


def ascii_filename(name: str, suffix: str = ".pdf") -> str:
    """A download name every browser and mail client keeps: ASCII letters, digits, . _ -."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", plain.removesuffix(suffix)).strip("-.")
    return f"{stem or 'dokumen'}{suffix}"


def pdf_response(
    template_name: str, context: dict, *, filename: str, request=None, extra_css: str = ""
) -> HttpResponse:
    """The PDF shown in the browser (inline); students' data is never kept in a shared cache."""
    content = render_pdf(template_name, context, request=request, extra_css=extra_css)
    return bytes_response(content, filename=filename)


def bytes_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(False, ascii_filename(filename))
    response["Cache-Control"] = "private, no-store"
    return response


def text_of(document: weasyprint.Document) -> str:
    """The text of a laid-out document, in reading order (for tests and checks; it walks
    WeasyPrint's box tree, which has no public accessor)."""
    from weasyprint.formatting_structure.boxes import TextBox

    return " ".join(
        box.text
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, TextBox)
    )
