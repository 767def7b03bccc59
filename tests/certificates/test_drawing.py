"""The certificate's back drawn once and replayed into each PDF (certificates/drawing.py): the
same text, the same picture and the same bytes as a back painted afresh."""

import datetime
import io
import os
import re
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageChops
from pypdf import PdfReader
from weasyprint.images import RasterImage

from assessments.models import AssessmentSession, SchemeUnit, Verdict
from certificates import pdf
from certificates.drawing import DrawnOnce
from certificates.services import rendering
from certificates.services.issuing import issue_session
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 8, 17)


def _png(mode, size, colour) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def issued(lsp_a, admin_a):
    """Two certificates of a 4-unit scheme; the LSP has a transparent logo and a signature."""
    lsp_a.logo.save("logo.png", ContentFile(_png("RGBA", (80, 80), (0, 60, 140, 128))), save=False)
    lsp_a.signatory_signature.save("ttd.png", ContentFile(_png("RGB", (90, 30), "white")))
    session = factories.SessionFactory(
        lsp=lsp_a,
        status=AssessmentSession.Status.DECIDED,
        scheme__title="Okupasi Teknisi Jaringan",
        scheme__title_en="Network Technician",
    )
    for n in range(4):
        unit = factories.UnitFactory(
            lsp=lsp_a,
            title=f"Memasang jaringan kabel bagian {n} — ÄÖ ñ",
            title_en=f"Installing cable networks, part {n}",
        )
        SchemeUnit.objects.create(scheme=session.scheme, unit=unit, order=n)
    for name in ("Siti Nurhaliza", "Zainuddin Quraish"):
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=name,
            decision=Verdict.K,
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
    ids = [c.pk for c in issue_session(admin_a, session, issued_on=ON)]
    return list(rendering.batch_queryset().filter(pk__in=ids).order_by("pk"))


def _painted_afresh(certificate) -> bytes:
    """The same two pages, the front's base and the back painted by WeasyPrint (no replay)."""
    batch = pdf.Batch()
    batch.draw_back_once = False
    return batch.render(certificate)


def _laid_out_whole(certificate) -> bytes:
    """The front laid out at once (no layers), the back painted by WeasyPrint."""
    batch = pdf.Batch()
    batch.draw_back_once = batch.layer_front = False
    return batch.render(certificate)


def _picture(content: bytes, page: int, folder, name: str) -> Image.Image:
    (folder / f"{name}.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", str(page), "-l", str(page), "-png", f"{name}.pdf", name],
        cwd=folder,
        check=True,
    )
    return Image.open(next(folder.glob(f"{name}*.png"))).convert("RGB")


def _text(content: bytes, page: int) -> str:
    return re.sub(r"\s+", "", PdfReader(io.BytesIO(content)).pages[page].extract_text())


def test_the_back_is_replayed_and_reads_the_same(issued):
    batch = pdf.Batch()
    first, second = (batch.render(c) for c in issued)
    (back,) = next(iter(batch.backs.values()))
    assert isinstance(back, DrawnOnce) and back.replayable
    afresh = _painted_afresh(issued[1])
    assert _text(second, 1) == _text(afresh, 1)
    for unit in issued[1].units:
        for key in ("code", "title", "title_en"):
            assert re.sub(r"\s+", "", unit[key]) in _text(second, 1), unit[key]
    assert _text(second, 0) == _text(afresh, 0)  # the front's own glyphs are kept too
    assert "SitiNurhaliza".upper() in _text(first, 0).upper()
    assert "ZainuddinQuraish".upper() in _text(second, 0).upper()


def test_the_same_bytes_alone_or_after_another_in_a_batch(issued):
    batch = pdf.Batch()
    batch.render(issued[0])
    assert batch.render(issued[1]) == pdf.render(issued[1])


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils")
def test_the_replayed_back_looks_the_same(issued, tmp_path):
    pdf.Batch().render(issued[0])
    batch = pdf.Batch()
    batch.render(issued[0])
    pictures = [
        _picture(batch.render(issued[1]), 2, tmp_path, "replayed"),
        _picture(_painted_afresh(issued[1]), 2, tmp_path, "afresh"),
    ]
    assert ImageChops.difference(*pictures).getbbox() is None
    assert pictures[0].convert("L").getextrema()[0] < 100  # something was drawn


def test_a_page_with_an_image_is_replayed_with_its_image(issued):
    """The back of a holder with a photo (never kept: it is the holder's own) would be replayed
    too: the image is in each PDF's list of images."""
    certificate = issued[0]
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), "navy").save(buffer, "JPEG")
    certificate.candidate.photo.save("foto.jpg", ContentFile(buffer.getvalue()), save=True)
    certificate = rendering.batch_queryset().get(pk=certificate.pk)
    batch = pdf.Batch()
    front, back = batch.html(certificate)
    page = DrawnOnce(batch.layout(back).pages[0])
    document = batch.layout(front)
    contents = [pdf.write(document.copy([document.pages[0], page])) for _ in range(2)]
    assert page.replayable is True
    for content in contents:
        sizes = [i.image.size for i in PdfReader(io.BytesIO(content)).pages[1].images]
        assert (30, 40) in sizes
    assert contents[0] == contents[1]
    painted = pdf.write(document.copy([document.pages[0], batch.layout(back).pages[0]]))
    assert contents[0] == painted


def test_a_page_drawn_with_a_group_is_painted_in_each_pdf(issued):
    """See-through boxes are drawn as groups (XObjects of their own): not replayed."""
    batch = pdf.Batch()
    laid_out = batch.layout('<p style="opacity: 0.5">Setengah</p>')
    page = DrawnOnce(laid_out.pages[0])
    contents = [pdf.write(laid_out.copy([page])) for _ in range(2)]
    assert page.replayable is False
    assert contents[0] == contents[1] == pdf.write(laid_out)
    assert "Setengah" in _text(contents[0], 0)


def test_a_page_drawn_at_another_scale_is_painted_again(issued):
    batch = pdf.Batch()
    _front, back = batch.html(issued[0])
    laid_out = batch.layout(back)
    page = DrawnOnce(laid_out.pages[0])
    document = laid_out.copy([page])
    normal = pdf.write(document)
    with pdf.pdf._lock:
        zoomed = document.write_pdf(zoom=2)
    assert _text(zoomed, 0) == _text(normal, 0)


def test_the_logo_is_made_a_pdf_image_once_per_batch(issued, monkeypatch):
    built = []
    build = RasterImage.get_x_object
    monkeypatch.setattr(
        RasterImage, "get_x_object", lambda self, *a: built.append(self) or build(self, *a)
    )
    batch = pdf.Batch()
    contents = [batch.render(c) for c in (*issued, issued[0])]
    assert len(built) == 2  # the logo and the signature, once each for the three PDFs
    assert contents[0] == contents[2]
    for content in contents:
        front = PdfReader(io.BytesIO(content)).pages[0]
        assert len(front.images) == 2
        logo = max(front.images, key=lambda image: image.image.mode == "RGBA")
        assert logo.image.mode == "RGBA"  # still transparent
        assert logo.image.getpixel((40, 40))[3] == 128


def test_downloads_share_the_process_batch_and_lay_out_the_back_once(issued, monkeypatch):
    pdf.forget_on_demand_batch()
    layouts = []
    real_layout = pdf.Batch.layout
    monkeypatch.setattr(
        pdf.Batch, "layout", lambda self, markup: layouts.append(1) or real_layout(self, markup)
    )
    first = pdf.render(issued[0])
    assert len(layouts) == 3  # the front's base and the holder's layer, the back
    assert pdf.render(issued[1]) == _painted_afresh(issued[1]) != first
    assert len(layouts) == 3 + 1 + 3  # the next download lays out its holder's layer only
    assert pdf.on_demand_batch() is pdf.on_demand_batch()


def test_a_new_logo_under_the_same_name_is_printed_by_the_next_download(issued, lsp_a):
    pdf.forget_on_demand_batch()
    before = pdf.render(issued[0])
    name = lsp_a.logo.name
    lsp_a.logo.storage.delete(name)
    lsp_a.logo.storage.save(name, ContentFile(_png("RGB", (80, 80), (200, 0, 0))))
    stamp = lsp_a.logo.storage.get_modified_time(name).timestamp() + 5
    os.utime(lsp_a.logo.path, (stamp, stamp))  # a coarse clock would date both uploads alike
    issued[0].lsp.refresh_from_db()
    after = pdf.render(issued[0])
    assert after != before
    assert after == _painted_afresh(issued[0])


# --- The front in layers --------------------------------------------------------------------------
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils")
@pytest.mark.parametrize(
    "name",
    [
        "Siti Nurhaliza",
        "Muhammad Rizky Ananda Pratama Putra Kusumawardhana Wijayakusuma",  # smaller
        "Muhammad Rizky Ananda Pratama Putra Kusumawardhana Wijayakusuma Abdurrahman "
        "Hasibuan Simatupang Panjaitan Siregar",  # two lines
    ],
)
def test_the_front_in_layers_looks_as_laid_out_whole(issued, tmp_path, name):
    certificate = issued[1]
    certificate.holder_name = name
    certificate.blank_number = "BNSP 0012345"
    batch = pdf.Batch()
    batch.render(issued[0])  # the base, laid out for another holder
    layered = batch.render(certificate)
    whole = _laid_out_whole(certificate)
    assert len(batch.bases) == 1  # one base for the session (another blank number, too)
    pictures = [_picture(layered, 1, tmp_path, "layered"), _picture(whole, 1, tmp_path, "whole")]
    assert ImageChops.difference(*pictures).getbbox() is None
    text = _text(layered, 0).upper()
    for printed in (name, "BNSP 0012345", certificate.number, "Pindaiuntukmemeriksa"):
        assert re.sub(r"\s+", "", printed).upper() in text, printed
    assert text.count(re.sub(r"\s+", "", name).upper()) == 1


def test_the_base_with_its_images_is_drawn_once_and_replayed(issued):
    batch = pdf.Batch()
    first, second = (batch.render(c) for c in issued)
    ((base, slots),) = batch.bases.values()
    assert isinstance(base, DrawnOnce) and base.replayable
    assert set(slots) == {"number", "holder", "birth"}
    assert second == _painted_afresh(issued[1])
    for content in (first, second):
        assert len(PdfReader(io.BytesIO(content)).pages[0].images) == 2  # logo and signature
