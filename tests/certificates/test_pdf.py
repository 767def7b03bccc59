"""The certificate's PDF: its pages and text, the QR code, the stored file and its hash, the
per-scheme and per-LSP designs, what a batch reuses, and who may download it."""

import datetime
import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.template import engines
from django.template.loader import select_template
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from assessments.models import AssessmentSession, SchemeUnit, Verdict
from certificates import pdf
from certificates.models import Certificate
from certificates.services import rendering
from certificates.services.issuing import issue_session
from certificates.services.revoking import revoke
from lsp import pdf as lsp_pdf
from lsp.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 8, 17)
SITE = "https://kompeten.example.id"
PHRASES = [
    "Nomor Sertifikat",
    "Certificate Number",
    "Dengan ini menyatakan bahwa",
    "This is to certify that",
    "Tempat, tanggal lahir",
    "telah kompeten pada bidang",
    "is competent in the area of",
    "dengan kualifikasi",
    "Sertifikat ini berlaku untuk 3 (tiga) tahun",
    "This certificate is valid for 3 (three) years",
    "Atas nama Badan Nasional Sertifikasi Profesi",
    "On behalf of Indonesia Professional Certification Authority",
]


@pytest.fixture(autouse=True)
def _english(client):
    """The interface in English: the PDF is still printed in Indonesian (with English beneath)."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _png(size=(60, 30), colour="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def issued(lsp_a, admin_a):
    """Two certificates of a decided session of a 3-unit scheme; the LSP has a logo and a
    signature image."""
    lsp_a.name_en = "Alpha First-Party Certification Body"
    lsp_a.signatory_name, lsp_a.signatory_title = "Dra. Siti Rahmawati", "Ketua LSP"
    lsp_a.logo.save("logo.png", ContentFile(_png()), save=False)
    lsp_a.signatory_signature.save("ttd.png", ContentFile(_png(colour="white")), save=False)
    lsp_a.save()
    session = factories.SessionFactory(
        lsp=lsp_a,
        status=AssessmentSession.Status.DECIDED,
        scheme__title="Okupasi Teknisi Jaringan",
        scheme__title_en="Network Technician",
        scheme__kbli_code="62019",
        scheme__kbji_code="3512",
    )
    for n in range(3):
        unit = factories.UnitFactory(
            lsp=lsp_a, title=f"Memasang jaringan {n}", title_en=f"Installing networks {n}"
        )
        SchemeUnit.objects.create(scheme=session.scheme, unit=unit, order=n)
    for name in ("Siti Nurhaliza", "Budi Santoso"):
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=name,
            candidate__birth_place="Balikpapan",
            candidate__birth_date=datetime.date(2008, 5, 17),
            decision=Verdict.K,
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
    return list(
        rendering.batch_queryset().filter(
            pk__in=[c.pk for c in issue_session(admin_a, session, issued_on=ON)]
        )
    )


def text_of(content: bytes) -> str:
    """The PDF's text without any whitespace: pypdf puts spaces where kerning moves a glyph
    ("T empat") and breaks a long URL where the line breaks. Compare with `squash(phrase)`."""
    reader = PdfReader(io.BytesIO(content))
    return squash("".join(page.extract_text() for page in reader.pages))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- The document ---------------------------------------------------------------------------------
def test_two_pages_of_a4_landscape(issued):
    reader = PdfReader(io.BytesIO(rendering.render_certificate(issued[0])))
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 841.89) < 1 and abs(height - 595.28) < 1


def test_the_text_front_and_back(issued):
    certificate = issued[0]
    certificate.blank_number = "BNSP 0012345"
    text = text_of(rendering.render_certificate(certificate))
    for phrase in [
        *PHRASES,
        certificate.number,
        certificate.scheme_title,
        "Network Technician",
        "KKNI Jenjang II",
        "Balikpapan, 17 Mei 2008",  # the birth date in Indonesian
        "17 Agustus 2026",
        "17 Agustus 2029",
        "LSP P1 Alpha",
        "Alpha First-Party Certification Body",
        "Dra. Siti Rahmawati",
        "BNSP 0012345",
        "Daftar Unit Kompetensi",
    ]:
        assert squash(phrase) in text, phrase
    assert squash(certificate.holder_name).upper() in text.upper()
    for unit in certificate.units:
        assert all(squash(unit[key]) in text for key in ("code", "title", "title_en")), unit


def test_the_logo_and_the_signature_are_drawn(issued):
    lsp = issued[0].lsp
    front, _back = pdf.Batch().html(issued[0])
    assert f'src="prepared:{lsp.logo.name}?v=' in front
    assert f'src="prepared:{lsp.signatory_signature.name}?v=' in front
    reader = PdfReader(io.BytesIO(rendering.render_certificate(issued[0])))
    assert len(reader.pages[0].images) == 2


def test_the_fetcher_serves_only_what_was_prepared(issued):
    batch = pdf.Batch()
    url = batch.images_for(issued[0])["logo_url"]
    assert url.startswith(f"prepared:{issued[0].lsp.logo.name}?v=")
    assert batch.fetcher.fetch(url).read()[:3] == b"\xff\xd8\xff"  # made a JPEG
    stale = url.split("?")[0] + "?v=1"  # another upload under the same name
    for refused in ("prepared:lsp/logo/other.png", stale, "https://example.com/logo.png"):
        with pytest.raises(lsp_pdf.RefusedURL):
            batch.fetcher.fetch(refused)


class Field:
    """What print_image reads of a FileField: its name, its storage, whether it is set."""

    def __init__(self, content: bytes | None):
        from django.core.files.storage import default_storage

        self.storage = default_storage
        self.name = content and default_storage.save("lsp/logo/x.png", ContentFile(content))

    def __bool__(self):
        return bool(self.name)


def _image_of(prepared) -> Image.Image:
    data, kind = prepared
    image = Image.open(io.BytesIO(data))
    assert f"image/{image.format.lower()}" == kind
    return image


def test_images_are_made_ready_for_print(db):
    transparent = Image.new("RGBA", (900, 600), (0, 0, 0, 0))
    transparent.paste((200, 0, 0, 255), (100, 100, 800, 500))
    buffer = io.BytesIO()
    transparent.save(buffer, "PNG")
    logo = _image_of(pdf.print_image(Field(buffer.getvalue())))
    assert logo.format == "PNG" and logo.mode == "RGBA"  # it stays transparent
    assert logo.size == (pdf.TRANSPARENT_PIXELS, round(pdf.TRANSPARENT_PIXELS * 600 / 900))

    signature = _image_of(pdf.print_image(Field(_png((2000, 500), "white"))))
    assert signature.format == "JPEG" and signature.size == (pdf.PRINT_PIXELS, 125)

    small = io.BytesIO()
    Image.new("RGB", (200, 100), "navy").save(small, "JPEG")
    assert pdf.print_image(Field(small.getvalue())) == (small.getvalue(), "image/jpeg")

    assert pdf.print_image(Field(b"\x89PNG\r\n\x1a\n not really")) is None
    assert pdf.print_image(Field(None)) is None


def test_a_rerender_after_edits_to_the_student_and_scheme_is_the_same_file(issued):
    certificate = issued[0]
    first = rendering.render_certificate(certificate)
    candidate = certificate.candidate
    candidate.full_name, candidate.birth_place = "Nama Lain", "Samarinda"
    candidate.save()
    scheme = certificate.scheme
    scheme.title = "Skema Lain"
    scheme.save()
    scheme.units.update(title="Judul lain")
    certificate = rendering.batch_queryset().get(pk=certificate.pk)
    again = rendering.render_certificate(certificate)
    assert again == first  # the same bytes: the copied fields only, and a deterministic renderer
    assert "SkemaLain" not in text_of(again) and "Judullain" not in text_of(again)


def test_no_kkni_line_without_a_level(issued):
    certificate = issued[0]
    certificate.kkni_level = None
    assert "dengankualifikasi" not in text_of(rendering.render_certificate(certificate))


# --- The QR code ----------------------------------------------------------------------------------
def _modules_of(svg: str) -> list[list[bool]]:
    """Read the QR code's modules back out of the SVG path: segno draws each run of dark modules
    of a row as a stroke through the row's middle ("M4 4.5h7m3 0h2m-37 1h1…")."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    path = re.search(r'<path [^>]*\bd="([^"]+)"', svg).group(1)
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", path):
        values = [float(n) for n in re.findall(r"-?\d*\.?\d+", numbers)]
        if command in "Mm":
            x, y = (values[0], values[1]) if command == "M" else (x + values[0], y + values[1])
        else:
            end = values[0] if command == "H" else x + values[0]
            for column in range(round(x), round(end)):
                grid[int(y)][column] = True
            x = end
    return grid


def _matrix(url: str) -> list[list[bool]]:
    """The modules of the QR code of `url` with its quiet zone, as segno computes them."""
    return [[bool(m) for m in row] for row in pdf.qr_code(url).matrix_iter(border=pdf.QR_BORDER)]


@override_settings(SITE_URL=SITE)
def test_the_qr_code_holds_the_absolute_verification_url(issued, monkeypatch):
    certificate = issued[0]
    given = []
    qr_code = pdf.qr_code
    monkeypatch.setattr(pdf, "qr_code", lambda data: given.append(data) or qr_code(data))
    front, _back = pdf.Batch().html(certificate)
    url = f"{SITE}/verifikasi/{certificate.public_id}/"
    assert given == [url]  # the address never changes: it is printed for years
    assert certificate.get_verification_url() == f"/verifikasi/{certificate.public_id}/"
    svg = re.search(r"<svg\b.*?</svg>", front, re.S).group(0)
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg and "<?xml" not in front
    # The drawn modules are exactly the code of that URL (with its quiet zone).
    assert _modules_of(svg) == _matrix(url)
    assert qr_code(url).error in ("M", "Q", "H")
    assert squash(url) in text_of(rendering.render_certificate(certificate))  # printed, too


@pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")), reason="zbar-tools, poppler-utils"
)
@override_settings(SITE_URL=SITE)
def test_the_printed_qr_code_scans(issued, tmp_path):
    (tmp_path / "c.pdf").write_bytes(rendering.render_certificate(issued[0]))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "c.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True, check=True
    )
    assert scanned.stdout.strip() == f"{SITE}/verifikasi/{issued[0].public_id}/"


def test_the_templates_load_nothing_from_the_network(issued):
    sources = [
        *Path(settings.BASE_DIR, "templates/certificates/pdf").glob("*.html"),
        Path(settings.BASE_DIR, "static", pdf.STYLESHEET),
    ]
    assert len(sources) >= 2
    for source in sources:
        assert not re.search(r"(https?:)?//[a-z0-9]", source.read_text(), re.I), source
    markup = "".join(pdf.Batch().html(issued[0]))
    assert not re.search(r"""(src|href)=["']?(https?:)?//|url\(\s*["']?(https?:)?//""", markup)


# --- Storing --------------------------------------------------------------------------------------
def test_store_pdf_keeps_the_file_and_its_sha256(issued):
    certificate = issued[0]
    content, digest = rendering.store_pdf(certificate)
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as file:
        stored = file.read()
    assert stored == content and content.startswith(b"%PDF")
    assert certificate.sha256 == digest == hashlib.sha256(stored).hexdigest()
    assert certificate.pdf.name.startswith("certificates/")
    assert issued[1].holder_name not in certificate.pdf.name  # a random name
    old = certificate.pdf.name
    rendering.store_pdf(certificate)  # again: a new file, the old one removed
    assert not certificate.pdf.storage.exists(old)


def test_a_batch_reuses_the_template_the_images_and_the_back(issued, monkeypatch):
    third = Certificate.objects.get(pk=issued[0].pk)  # the same again, loaded apart
    looked_up, fetched, laid_out = [], [], []
    monkeypatch.setattr(
        pdf, "select_template", lambda names: looked_up.append(names) or select_template(names)
    )
    ready = pdf.print_image
    monkeypatch.setattr(pdf, "print_image", lambda f: fetched.append(f.name) or ready(f))
    layout = pdf.layout
    monkeypatch.setattr(pdf, "layout", lambda m, **kw: laid_out.append(m) or layout(m, **kw))
    results = list(rendering.render_many([*issued, third]))
    assert [c.pk for c, _content in results] == [issued[0].pk, issued[1].pk, issued[0].pk]
    assert all(len(PdfReader(io.BytesIO(c)).pages) == 2 for _cert, c in results)
    assert results[0][1] == results[2][1]  # the batch changes nothing in the file
    assert len(looked_up) == 1  # one design for the scheme
    assert len(fetched) == 2  # the logo and the signature, read once each
    # Each holder's layer of the front, and one base and one back for all.
    assert len(laid_out) == 3 + 1 + 1


def test_store_many_reports_a_failure_and_goes_on(issued, monkeypatch):
    render = pdf.Batch.render

    def failing(self, certificate):
        if certificate.pk == issued[0].pk:
            raise RuntimeError("no fonts")
        return render(self, certificate)

    monkeypatch.setattr(pdf.Batch, "render", failing)
    failed = []
    stored = rendering.store_many(issued, on_error=lambda c, e: failed.append((c.pk, str(e))))
    assert stored == 1 and failed == [(issued[0].pk, "no fonts")]
    assert list(Certificate.objects.exclude(sha256="").values_list("pk", flat=True)) == [
        issued[1].pk
    ]


# --- The designs ----------------------------------------------------------------------------------
@pytest.fixture
def designs(tmp_path):
    folder = tmp_path / "certificates" / "pdf"
    folder.mkdir(parents=True)
    engine = {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    with override_settings(TEMPLATES=[engine]):
        yield folder


def _design(folder, name, words, *, tagged=False):
    """A design extending the default, with its own heading (`tagged`: marked as printed alike
    on the session's certificates); the template loader, which remembers what it did not find,
    forgets (as a deployment's restart makes it)."""
    head = f"<p>{words}</p>"
    if tagged:
        head = "{% load layers %}{% fixed %}" + head + "{% endfixed %}"
    (folder / name).write_text(
        '{% extends "certificates/pdf/default.html" %}'
        "{% block front_head %}" + head + "{% endblock %}"
    )
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            loader.reset()


def test_a_schemes_design_then_the_lsps_then_the_default(issued, designs):
    certificate = issued[0]
    assert "SERTIFIKATKOMPETENSI" in text_of(rendering.render_certificate(certificate))
    _design(designs, f"lsp_{certificate.lsp_id}.html", "Desain LSP Alpha")
    text = text_of(rendering.render_certificate(certificate))
    assert "DesainLSPAlpha" in text and "NomorSertifikat" in text
    _design(designs, f"scheme_{certificate.scheme_id}.html", "Desain Skema Jaringan")
    text = text_of(rendering.render_certificate(certificate))
    assert "DesainSkemaJaringan" in text and "DesainLSPAlpha" not in text
    _design(designs, "lsp_999999.html", "Desain LSP lain")  # another LSP's design is not used
    assert "DesainLSPlain" not in text_of(rendering.render_certificate(certificate))


@pytest.mark.parametrize("tagged", [False, True])
def test_a_design_in_layers_or_not_prints_its_words_once(issued, designs, tagged):
    """Untagged, the design's heading is laid out with the whole front for each certificate;
    tagged, in the base laid out once for the session."""
    _design(designs, f"scheme_{issued[0].scheme_id}.html", "Desain Skema Jaringan", tagged=tagged)
    batch = pdf.Batch()
    texts = [text_of(batch.render(c)) for c in issued]
    assert len(batch.bases) == (1 if tagged else 0)
    for certificate, text in zip(issued, texts, strict=True):
        assert text.count("DesainSkemaJaringan") == 1
        assert squash(certificate.holder_name).upper() in text.upper()
        assert "SERTIFIKATKOMPETENSI" not in text


# --- The download ---------------------------------------------------------------------------------
def test_the_lsps_admin_downloads_it_rendered_then_stored(client, admin_a, issued):
    certificate = issued[0]
    client.force_login(admin_a)
    url = reverse("certificate_pdf", args=[certificate.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("inline; filename=")
    certificate.refresh_from_db()
    assert certificate.sha256 == hashlib.sha256(response.content).hexdigest()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, object_id=str(certificate.pk), actor=admin_a
    ).exists()


def test_a_stored_pdf_is_served_as_it_is(client, admin_a, issued, monkeypatch):
    certificate = issued[0]
    content, _digest = rendering.store_pdf(certificate)
    monkeypatch.setattr(pdf.Batch, "render", lambda *a: pytest.fail("rendered again"))
    client.force_login(admin_a)
    response = client.get(reverse("certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response.content == content


def test_a_viewer_is_refused_the_birth_date_on_it(client, viewer_kaltim, issued):
    """Disdikbud viewers see certificates in lists, never a student's birth date: the PDF
    prints it, so they do not get it."""
    assert issued[0].lsp.province.name == viewer_kaltim.roles.get().province.name
    client.force_login(viewer_kaltim)
    assert client.get(reverse("certificate_pdf", args=[issued[0].pk])).status_code == 403


def test_refusals_other_lsp_anonymous_revoked(client, admin_a, admin_b, issued):
    url = reverse("certificate_pdf", args=[issued[0].pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(admin_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("certificate_pdf", args=[999999])).status_code == 404
    rendering.store_pdf(issued[0])
    revoke(admin_a, issued[0], reason="Data salah")
    client.force_login(admin_a)
    response = client.get(url)
    assert response.status_code == 410 and not response.content.startswith(b"%PDF")
