"""The student's photo: uploaded on the student's form, kept small and without metadata, served
only to the admins of the LSP certifying the student's school, printed on the certificate's back
(read from disk, never over HTTP)."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from assessments.models import AssessmentSession, Candidate, Verdict
from assessments.models.candidates import PHOTO_PIXELS
from certificates import pdf
from certificates.services import rendering
from certificates.services.issuing import issue_session
from lsp import pdf as lsp_pdf
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 8, 17)


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _image(kind="JPEG", size=(1200, 1600), colour=(180, 40, 40), exif=None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGBA" if kind == "PNG" else "RGB", size, colour)
    if exif is not None:
        image.save(buffer, kind, exif=exif)
    else:
        image.save(buffer, kind)
    return buffer.getvalue()


def _with_photo(candidate, data=None):
    candidate.photo.save("foto.jpg", ContentFile(data or _image(size=(300, 400))), save=True)
    return candidate


@pytest.fixture
def student_a(lsp_a):
    return factories.CandidateFactory(school=lsp_a.host_school, full_name="Siti Nurhaliza")


def _form_data(candidate) -> dict:
    return {
        "full_name": candidate.full_name,
        "nisn": candidate.nisn,
        "nik": candidate.nik,
        "birth_place": candidate.birth_place,
        "birth_date": candidate.birth_date.isoformat(),
        "sex": candidate.sex,
        "school": candidate.school_id,
        "concentration": candidate.concentration_id,
        "level": candidate.level,
        "class_name": candidate.class_name,
        "school_year": candidate.school_year,
    }


# --- The form -------------------------------------------------------------------------------------
def test_the_admin_uploads_a_photo_kept_small_upright_and_without_metadata(
    client, admin_a, student_a
):
    exif = Image.Exif()
    exif[0x0112] = 6  # taken sideways: shown rotated
    exif[0x010F] = "PhoneMaker"
    data = _image(size=(1600, 1200), exif=exif)
    client.force_login(admin_a)
    response = client.post(
        reverse("candidate_update", args=[student_a.pk]),
        {**_form_data(student_a), "photo": SimpleUploadedFile("IMG_2041.jpeg", data)},
    )
    assert response.status_code == 302, response.context["form"].errors
    student_a.refresh_from_db()
    assert student_a.photo.name.startswith("candidates/photo/")
    assert "IMG_2041" not in student_a.photo.name  # a random name
    with student_a.photo.open("rb") as file:
        kept = Image.open(io.BytesIO(file.read()))
    assert kept.format == "JPEG"
    assert kept.size == (PHOTO_PIXELS * 3 // 4, PHOTO_PIXELS)  # turned upright, scaled down
    assert not kept.getexif()  # nothing of the phone's metadata
    page = client.get(student_a.get_absolute_url()).content.decode()
    assert reverse("candidate_photo", args=[student_a.pk]) in page


def test_a_transparent_png_is_laid_on_white(client, admin_a, student_a):
    client.force_login(admin_a)
    data = _image("PNG", size=(300, 400), colour=(0, 0, 0, 0))
    response = client.post(
        reverse("candidate_update", args=[student_a.pk]),
        {**_form_data(student_a), "photo": SimpleUploadedFile("foto.png", data)},
    )
    assert response.status_code == 302
    student_a.refresh_from_db()
    with student_a.photo.open("rb") as file:
        kept = Image.open(io.BytesIO(file.read()))
    assert kept.format == "JPEG" and kept.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    "name,content",
    [
        ("foto.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"),
        ("foto.png", b"%PDF-1.4 not a photo"),
        ("foto.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_only_jpeg_and_png_by_their_content(client, admin_a, student_a, name, content):
    client.force_login(admin_a)
    response = client.post(
        reverse("candidate_update", args=[student_a.pk]),
        {**_form_data(student_a), "photo": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors
    student_a.refresh_from_db()
    assert not student_a.photo


def test_a_replaced_or_removed_photo_leaves_storage(
    client, admin_a, student_a, django_capture_on_commit_callbacks
):
    _with_photo(student_a)
    first = student_a.photo.name
    storage = student_a.photo.storage
    client.force_login(admin_a)
    url = reverse("candidate_update", args=[student_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {**_form_data(student_a), "photo": SimpleUploadedFile("b.jpg", _image())}
        )
    assert response.status_code == 302
    student_a.refresh_from_db()
    second = student_a.photo.name
    assert second != first and storage.exists(second) and not storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**_form_data(student_a), "photo-clear": "on"})
    assert response.status_code == 302
    student_a.refresh_from_db()
    assert not student_a.photo and not storage.exists(second)
    # Saving the form without touching the photo keeps it.
    _with_photo(student_a)
    kept = student_a.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form_data(student_a))
    student_a.refresh_from_db()
    assert student_a.photo.name == kept and storage.exists(kept)


# --- Who gets it ----------------------------------------------------------------------------------
def test_the_photo_is_served_to_the_admins_of_the_students_lsp(client, admin_a, student_a):
    _with_photo(student_a)
    client.force_login(admin_a)
    response = client.get(reverse("candidate_photo", args=[student_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_the_photo_is_refused_to_others(client, lsp_a, admin_b, student_a):
    _with_photo(student_a)
    url = reverse("candidate_photo", args=[student_a.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(admin_b)  # another LSP's admin: as if there were no such student
    assert client.get(url).status_code == 404
    for user in (factories.viewer(), factories.assessor(lsp_a)):  # read-only roles: never
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(admin_b)
    assert client.get(student_a.photo.url).status_code == 404  # no public media URL


def test_no_photo_is_not_found(client, admin_a, student_a):
    client.force_login(admin_a)
    assert client.get(reverse("candidate_photo", args=[student_a.pk])).status_code == 404


# --- On the certificate ---------------------------------------------------------------------------
@pytest.fixture
def certificates(lsp_a, admin_a):
    """A decided session of two competent students, one of them with a photo."""
    session = factories.SessionFactory(lsp=lsp_a, status=AssessmentSession.Status.DECIDED)
    for name in ("Ani Lestari", "Budi Hartono"):
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=name,
            candidate__school=lsp_a.host_school,
            decision=Verdict.K,
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
    issued = issue_session(admin_a, session, issued_on=ON)
    _with_photo(Candidate.objects.get(full_name="Ani Lestari"))
    return list(rendering.batch_queryset().filter(pk__in=[c.pk for c in issued]).order_by("pk"))


def _back_images(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages[1].images)


def test_the_photo_is_printed_on_the_back(certificates):
    with_photo, without = certificates
    assert with_photo.holder_name == "Ani Lestari" and with_photo.holder_photo
    assert _back_images(rendering.render_certificate(with_photo)) == 1
    assert _back_images(rendering.render_certificate(without)) == 0
    # Loaded without the batch's query, the photo is found through the student.
    alone = type(with_photo).objects.get(pk=with_photo.pk)
    assert _back_images(rendering.render_certificate(alone)) == 1


def test_the_photo_is_read_from_disk_by_the_projects_fetcher(certificates, monkeypatch):
    with_photo, _without = certificates
    _front, back = pdf.Batch().html(with_photo)
    assert f'src="media:{with_photo.holder_photo}"' in back
    fetched = []
    fetch = lsp_pdf.ProjectFetcher.fetch
    monkeypatch.setattr(
        lsp_pdf.ProjectFetcher,
        "fetch",
        lambda self, url, *a: fetched.append(url) or fetch(self, url, *a),
    )
    rendering.render_certificate(with_photo)
    assert f"media:{with_photo.holder_photo}" in fetched
    assert not [url for url in fetched if url.startswith(("http:", "https:", "//"))]


def test_a_batch_still_lays_out_one_back_for_those_without_a_photo(certificates, monkeypatch):
    with_photo, without = certificates
    again = type(without).objects.get(pk=without.pk)
    laid_out = []
    layout = pdf.layout
    monkeypatch.setattr(pdf, "layout", lambda m, **kw: laid_out.append(m) or layout(m, **kw))
    batch = pdf.Batch()
    results = [batch.render(c) for c in (with_photo, without, again, with_photo)]
    assert [_back_images(content) for content in results] == [1, 0, 0, 1]
    assert results[0] == results[3]
    # Each holder's layer of the front; the front's base and the shared back once; each photo's
    # back.
    assert len(laid_out) == 4 + 1 + 1 + 2
    assert not [url for url in batch.image_cache if url.startswith("media:")]  # not kept
