"""The shared PDF helper: A4, Indonesian, fonts and stylesheet once, and a fetcher that loads only
the project's static files and media (never the network, never another file)."""

import io
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation

from lsp import pdf


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()
A4_WIDTH_PX = 210 / 25.4 * 96  # CSS pixels


@pytest.fixture
def media_png():
    name = default_storage.save("lsp/logo/test-pdf.png", ContentFile(PNG))
    yield name
    default_storage.delete(name)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network used: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the fetcher is asked for, with what it answered: 'served' or 'refused'."""
    log = []
    real = pdf.ProjectFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = real(self, url, headers)
        except pdf.RefusedURL:
            log.append((url, "refused"))
            raise
        log.append((url, "served"))
        return response

    monkeypatch.setattr(pdf.ProjectFetcher, "fetch", spy)
    return log


def _html(body: str) -> str:
    return f"<!doctype html><html><body>{body}</body></html>"


def _render(template_string: str, tmp_path, settings_fixture):
    """Render an ad-hoc template through the helper (a template folder of the test's own)."""
    (tmp_path / "t.html").write_text(template_string)
    settings_fixture.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return pdf.render_document("t.html", {})


# --- the fetcher ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/x.png",
        "http://127.0.0.1:8000/static/css/app.css",
        "ftp://example.com/x.png",
        "file:///etc/passwd",
        f"file://{Path(settings.BASE_DIR) / 'lsp' / 'settings.py'}",
        "static:../lsp/settings.py",
        "static:/etc/passwd",
        "static:css/../../lsp/settings.py",
        "media:../lsp/settings.py",
        "media:/etc/passwd",
        "media:lsp/logo/missing.png",
        "javascript:alert(1)",
        "/static/css/app.css",
    ],
)
def test_the_fetcher_refuses_everything_but_static_and_media(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.ProjectFetcher().fetch(url)


def test_the_fetcher_serves_static_media_and_data(media_png):
    fetcher = pdf.ProjectFetcher()
    css = fetcher.fetch("static:css/pdf.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    logo = fetcher.fetch(f"media:{media_png}")
    assert logo.read() == PNG and logo.content_type == "image/png"
    inside = fetcher.fetch(Path(default_storage.path(media_png)).as_uri())
    assert inside.read() == PNG
    data = fetcher.fetch("data:text/plain;base64,S29tcGV0ZW4=")
    assert data.read() == b"Kompeten"


@pytest.mark.django_db
def test_a_pdf_never_fetches_from_the_network_or_other_files(
    tmp_path, settings, no_network, fetched, media_png
):
    document = _render(
        _html(
            '<img src="https://example.com/x.png">'
            '<img src="file:///etc/passwd">'
            '<link rel="stylesheet" href="http://example.com/evil.css">'
            f'<img src="media:{media_png}">'
            "<p>Halo</p>"
        ),
        tmp_path,
        settings,
    )
    outcome = dict(fetched)
    assert outcome["https://example.com/x.png"] == "refused"
    assert outcome["file:///etc/passwd"] == "refused"
    assert outcome["http://example.com/evil.css"] == "refused"
    assert outcome[f"media:{media_png}"] == "served"
    assert "Halo" in pdf.text_of(document)


# --- rendering ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_pages_are_a4_and_the_pdf_is_a_pdf(tmp_path, settings):
    document = _render(_html("<p>Uji kompetensi</p>"), tmp_path, settings)
    page = document.pages[0]
    assert page.width == pytest.approx(A4_WIDTH_PX, abs=1)
    assert page.height == pytest.approx(297 / 25.4 * 96, abs=1)
    assert document.write_pdf().startswith(b"%PDF")


@pytest.mark.django_db
def test_documents_are_indonesian_whatever_the_readers_language(tmp_path, settings):
    template = '{% load i18n %}<p>{{ day|date:"j F Y" }} {% translate "Name" %}</p>'
    (tmp_path / "t.html").write_text(_html(template))
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    import datetime

    with translation.override("en"):
        html = pdf.render_html("t.html", {"day": datetime.date(2025, 5, 17)})
        assert translation.get_language() == "en"
    assert "17 Mei 2025 Nama" in html


def test_fonts_and_base_stylesheet_are_built_once_per_process():
    assert pdf._fonts() is pdf._fonts()
    assert pdf._base_stylesheet() is pdf._base_stylesheet()


def test_the_response_is_inline_private_and_named_in_ascii():
    response = pdf.bytes_response(b"%PDF-1.7 test", filename="FR.AK.05 JDW/01 Sítì Nurhalizah.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == 'inline; filename="FR.AK.05-JDW-01-Siti-Nurhalizah.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
