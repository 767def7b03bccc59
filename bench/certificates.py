"""How fast a session's certificates are rendered, hashed and stored, beside a naive baseline.

Runs alone: `DEBUG=1 .venv/bin/python bench/certificates.py [--count 1000] [--sample 20]
[--alternatives]`. It builds a throwaway test database (a SQLite file, so that forked processes
share it, or a test database beside DATABASE_URL's) holding one decided session of N competent
asesi (default 200) with a 10-unit scheme and an LSP with an 800-pixel transparent PNG logo and a
scanned signature, issues it (`issue_session`), and measures:

- the steps, on a sample of certificates (CPU time, the best of 3 passes), one process, each
  adding one reuse to the one before:
  (a) the naive baseline, a fresh `weasyprint.HTML(string=…).write_pdf()` per certificate (its own
  font configuration, both stylesheets parsed, the images fetched, decoded and encoded again; the
  QR code as segno draws it, as in production); then the shared font configuration; the
  stylesheets parsed once; the design's template looked up once and the images decoded once
  (WeasyPrint's image cache); the images made ready for print once; the back laid out once; the
  back drawn once and replayed (`certificates.drawing.DrawnOnce`); the LSP's images made PDF
  images once (`drawing.embed_once`); the front in two layers, the base (what the session's
  certificates print alike) laid out and drawn once, the holder's own laid out for each
  (`certificates/templatetags/layers.py`): `certificates.pdf.Batch` as the workers use it; the
  loaded objects left out of the garbage collector's full passes (`rendering.collector_quieted`, as
  `store_many` and the workers' chunks do);
- (b) `store_many` (render, SHA-256, store the file, save the row) over all N, one process;
- (c) the same split across 2 processes (multiprocessing with fork, one chunk each; each process
  warmed like a long-lived worker process), and what that gives when each process has a core to
  itself (the busiest process's CPU time);
- one certificate on demand: the download view of a certificate with no stored PDF yet;
- where the time of one render goes: the QR code, the HTML (the template's parts and the QR
  code), the layout of the holder's layer of the front, drawing both pages;
- with --alternatives, what else would gain, each giving something up (the QR code as a PNG,
  not SVG; transparent logos flattened onto white; the QR code's mask pattern fixed instead of
  chosen for the best contrast), over the last step.

The steps are in CPU time (`_cpu_` in their names); the end-to-end figures in wall-clock time,
which other work on the machine lowers (the load average before the run is printed); the ratios
divide wall-clock figures by the baseline's CPU figure, which can only flatter the baseline. It
prints `name: value unit` lines and drops the database again.
"""

import argparse
import contextlib
import datetime
import hashlib
import io
import logging
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

COUNT = 200
SAMPLE = 20  # certificates per pass of each step
ROUNDS = 3  # passes of each step; the fastest counts
UNITS = 10
PROCESSES = 2
TARGET_PER_SECOND = 25  # end to end, 2 processes
TARGET_RATIO = 2.5  # times the naive baseline
TARGET_ON_DEMAND = 0.5  # seconds


def _logo() -> bytes:
    """A logo as LSPs upload them: an 800-pixel PNG with a transparent background."""
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    image = Image.new("RGBA", (800, 800), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, 760, 760), outline=(0, 60, 140, 255), width=30)
    for _ in range(120):
        x, y, size = rng.randrange(150, 600), rng.randrange(150, 600), rng.randrange(10, 60)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256), 255)
        draw.rectangle((x, y, x + size, y + size), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _signature() -> bytes:
    """A scanned signature: a 900 × 300 PNG, ink on white."""
    from PIL import Image, ImageDraw

    rng = random.Random(8)
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    points = [(60 + 13 * n, 150 + rng.randrange(-90, 90)) for n in range(60)]
    draw.line(points, fill=(20, 20, 90), width=6, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def build(count: int):
    """A decided session of `count` competent asesi, issued."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from assessments.models import Candidate, Enrolment, SchemeUnit
    from certificates.services.issuing import issue_session
    from tests import factories

    lsp = factories.LspFactory(
        name="LSP P1 SMK Negeri 1 Samarinda",
        name_en="SMK Negeri 1 Samarinda First-Party Certification Body",
        signatory_name="Dra. Siti Rahmawati, M.Pd.",
        signatory_title="Ketua LSP",
    )
    lsp.logo.save("logo.png", ContentFile(_logo()), save=False)
    lsp.signatory_signature.save("ttd.png", ContentFile(_signature()), save=False)
    lsp.save()
    admin = factories.lsp_admin(lsp, username="bench.admin")
    session = factories.SessionFactory(
        lsp=lsp,
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        end_date=timezone.localdate() - datetime.timedelta(days=30),
        status="decided",
        decided_at=timezone.now(),
        decided_by=admin,
        scheme__title="Okupasi Teknisi Jaringan Komputer",
        scheme__title_en="Computer Network Technician Occupation",
        scheme__kbli_code="62019",
        scheme__kbji_code="3512",
    )
    units = [
        factories.UnitFactory(
            lsp=lsp,
            title=f"Memasang dan mengonfigurasi perangkat jaringan komputer bagian {n + 1}",
            title_en=f"Installing and configuring computer network devices, part {n + 1}",
        )
        for n in range(UNITS)
    ]
    SchemeUnit.objects.bulk_create(
        SchemeUnit(scheme=session.scheme, unit=unit, order=n) for n, unit in enumerate(units)
    )
    assessor = factories.session_assessor(session)
    concentration = factories.concentration()
    candidates = Candidate.objects.bulk_create(
        Candidate(
            full_name=f"Asesi Uji {n:04d} Pratama Wijaya",
            nisn=f"{n + 1:010d}",
            nik=f"6472{n + 1:012d}",
            birth_place="Samarinda",
            birth_date=datetime.date(2008, 5, 17),
            sex="L",
            school=lsp.host_school,
            concentration=concentration,
            level="XII",
            class_name="XII TKJ 1",
            school_year="2025/2026",
        )
        for n in range(count)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            session=session,
            candidate=candidate,
            assessor=assessor,
            assessment_date=session.start_date,
            eligibility="eligible",
            submitted_at=timezone.now(),
            decision="K",
            decided_at=timezone.now(),
        )
        for candidate in candidates
    )
    issued = issue_session(admin, session)
    assert len(issued) == count, len(issued)
    return session, admin


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


# --- the steps, one reuse at a time ---------------------------------------------------------------
def as_uploaded(lsp) -> dict:
    """The LSP's images as stored, fetched through the PDF fetcher by each document."""
    return {
        "logo_url": f"media:{lsp.logo.name}" if lsp.logo else "",
        "signature_url": f"media:{lsp.signatory_signature.name}" if lsp.signatory_signature else "",
    }


def whole_html(certificate, *, template=None, images=None) -> str:
    """Both pages in one HTML, the QR code as segno draws it (one path of the rows' runs)."""
    from django.template.loader import select_template
    from django.utils import translation

    from certificates import pdf as certificate_pdf

    values = certificate_pdf.context(
        certificate,
        images or as_uploaded(certificate.lsp),
        photo=certificate_pdf.photo_name(certificate),
    )
    template = template or select_template(certificate_pdf.template_names(certificate))
    with translation.override("id"):
        return template.render(values)


def _sheets(font_config=None):
    import weasyprint

    from certificates import pdf as certificate_pdf
    from lsp import pdf

    fetcher = pdf.ProjectFetcher()
    return [
        weasyprint.CSS(
            filename=str(fetcher._static_path(name)), url_fetcher=fetcher, font_config=font_config
        )
        for name in (pdf.BASE_STYLESHEET, certificate_pdf.STYLESHEET)
    ]


def naive(certificate, *, font_config=None) -> bytes:
    """What one writes first: nothing shared; stylesheets parsed, images fetched and decoded,
    fonts configured again for each certificate (unless `font_config` is shared)."""
    import weasyprint

    from lsp import pdf

    document = weasyprint.HTML(string=whole_html(certificate), url_fetcher=pdf.ProjectFetcher())
    return document.write_pdf(stylesheets=_sheets(font_config), font_config=font_config)


def shared_fonts(certificate) -> bytes:
    from lsp import pdf

    return naive(certificate, font_config=pdf._fonts())


def parsed_once(certificate) -> bytes:
    from certificates import pdf as certificate_pdf

    markup = whole_html(certificate)
    return certificate_pdf.write(certificate_pdf.layout(markup))


def template_once_images_cached():
    """The design's template looked up once; the images as uploaded, fetched and decoded once
    (WeasyPrint's image cache), but still encoded again for each PDF."""
    from certificates import pdf as certificate_pdf

    batch = certificate_pdf.Batch()

    def render(certificate) -> bytes:
        template = batch.template_for(certificate)
        markup = whole_html(certificate, template=template)
        return certificate_pdf.write(certificate_pdf.layout(markup, image_cache=batch.image_cache))

    return render


def _batch(*, draw_back_once=False, embed_images_once=False, layer_front=False):
    """`certificates.pdf.Batch` with only the reuses of the steps so far."""
    from certificates import pdf as certificate_pdf

    reuses = {
        "draw_back_once": draw_back_once,
        "embed_images_once": embed_images_once,
        "layer_front": layer_front,
    }
    return type("Partial", (certificate_pdf.Batch,), reuses)()


def images_ready_for_print():
    """…and the images read once and made ready for print (`print_image`)."""
    from certificates import pdf as certificate_pdf

    batch = _batch()

    def render(certificate) -> bytes:
        template = batch.template_for(certificate)
        images = batch.images_for(certificate)
        markup = whole_html(certificate, template=template, images=images)
        return certificate_pdf.write(batch.layout(markup))

    return render


def steps() -> dict[str, tuple]:
    """Each step's render and whether it runs with the collector quieted, in ladder order."""
    from certificates import pdf as certificate_pdf

    return {
        "naive_baseline": (naive, False),
        "shared_fonts": (shared_fonts, False),
        "stylesheets_parsed_once": (parsed_once, False),
        "template_once_images_cached": (template_once_images_cached(), False),
        "images_ready_for_print": (images_ready_for_print(), False),
        "back_laid_out_once": (_batch().render, False),
        "back_drawn_once": (_batch(draw_back_once=True).render, False),
        "images_embedded_once": (
            _batch(draw_back_once=True, embed_images_once=True).render,
            False,
        ),
        "front_in_layers": (certificate_pdf.Batch().render, False),
        "collector_quieted": (certificate_pdf.Batch().render, True),
    }


def best_rates(renders: dict[str, tuple], certificates) -> dict[str, float]:
    """Certificates per second of this process's CPU time over the sample, the best of ROUNDS
    passes of each: the steps compare the work each certificate takes, which other work on the
    machine would blur in wall-clock time (the end-to-end figures below are wall-clock). The
    passes take turns (one of each, then again), so that a busy minute on the machine weighs on
    all of them alike."""
    from certificates.services import rendering

    for render, _quiet in renders.values():
        render(certificates[0])  # whatever is built once per process is built before timing
    best = dict.fromkeys(renders, 0.0)
    for _round in range(ROUNDS):
        for name, (render, quiet) in renders.items():
            with rendering.collector_quieted() if quiet else contextlib.nullcontext():
                start = time.process_time()
                for certificate in certificates:
                    assert render(certificate).startswith(b"%PDF")
                spent = time.process_time() - start
            best[name] = max(best[name], per_second(len(certificates), spent))
    return best


def where_time_goes(certificates) -> dict[str, float]:
    """CPU milliseconds per certificate in a batch (the best of ROUNDS passes): the QR code, the
    HTML (the template's parts, with the QR code made again), the layout of the holder's layer of
    the front (its base and the back are laid out once), drawing it (the base's and the back's
    drawing are replayed) and writing the PDF."""
    from certificates import pdf as certificate_pdf
    from certificates.drawing import Layered

    batch = certificate_pdf.Batch()
    batch.render(certificates[0])
    best = {}
    for _round in range(ROUNDS):
        totals = dict.fromkeys(("qr", "html", "layout", "draw"), 0.0)
        for certificate in certificates:
            start = time.process_time()
            certificate_pdf.qr_svg(certificate_pdf.verification_url(certificate))
            qr_done = time.process_time()
            values = batch.values(certificate)
            untagged = batch.part(certificate, certificate_pdf.layers.UNTAGGED, values)
            assert certificate_pdf.in_layers(untagged)
            page, slots = batch.base(batch.part(certificate, certificate_pdf.BASE, values))
            overlay = batch.part(certificate, certificate_pdf.OVERLAY, values, slots=slots)
            back = batch.part(certificate, certificate_pdf.BACK, values)
            html_done = time.process_time()
            document = batch.layout(overlay)
            document = document.copy([Layered(page, document.pages[0]), *batch.back(back)])
            layout_done = time.process_time()
            certificate_pdf.write(document)
            draw_done = time.process_time()
            totals["qr"] += qr_done - start
            totals["html"] += html_done - qr_done
            totals["layout"] += layout_done - html_done
            totals["draw"] += draw_done - layout_done
        for key, seconds in totals.items():
            best[key] = min(best.get(key, seconds), seconds)
    return {key: 1000 * seconds / len(certificates) for key, seconds in best.items()}


# --- what else would gain (not used: each gives something up) ---------------------------------
def _qr_png(data: str) -> str:
    """The QR code as a 1-bit PNG, one pixel a module, drawn without smoothing."""
    import base64

    from PIL import Image

    from certificates import pdf as certificate_pdf

    matrix = list(certificate_pdf.qr_code(data).matrix_iter(border=certificate_pdf.QR_BORDER))
    image = Image.new("1", (len(matrix), len(matrix)), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    url = f"data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}"
    return f'<img src="{url}" alt="" style="width:26mm;height:26mm;image-rendering:pixelated">'


def alternative_batches():
    """Batches that each give up one thing the issue or the design asks for, to show its price."""
    import segno
    from django.utils import translation
    from django.utils.safestring import mark_safe
    from PIL import Image

    from certificates import pdf as certificate_pdf

    class RasterQr(certificate_pdf.Batch):
        """The QR code as a PNG, not SVG (the issue asks for SVG)."""

        def html(self, certificate):
            template = self.template_for(certificate)
            values = certificate_pdf.context(
                certificate,
                self.images_for(certificate),
                photo=certificate_pdf.photo_name(certificate),
            )
            values["qr_svg"] = mark_safe(_qr_png(values["verification_url"]))
            with translation.override("id"):
                return tuple(template.render({**values, "part": p}) for p in ("front", "back"))

    class FlatLogo(certificate_pdf.Batch):
        """Transparent images flattened onto white, as JPEG (a white box on a coloured blank)."""

        def images_for(self, certificate):
            if certificate.lsp_id not in self.images:
                urls = {}
                for key, field in (
                    ("logo_url", certificate.lsp.logo),
                    ("signature_url", certificate.lsp.signatory_signature),
                ):
                    with field.open("rb") as file:
                        image = Image.open(file).convert("RGBA")
                    image.thumbnail((certificate_pdf.PRINT_PIXELS,) * 2)
                    flat = Image.new("RGB", image.size, "white")
                    flat.paste(image, mask=image.getchannel("A"))
                    buffer = io.BytesIO()
                    flat.save(buffer, "JPEG", quality=95, subsampling=0)
                    urls[key] = f"{certificate_pdf.PREPARED}{field.name}"
                    self.prepared[urls[key]] = (buffer.getvalue(), "image/jpeg")
                self.images[certificate.lsp_id] = urls
            return self.images[certificate.lsp_id]

    class Both(RasterQr, FlatLogo):
        pass

    class FixedMask(certificate_pdf.Batch):
        """The QR code's mask pattern fixed, not chosen among the 8 for the best contrast."""

        def html(self, certificate):
            make = certificate_pdf.qr_code
            certificate_pdf.qr_code = lambda data: segno.make(data, error="m", micro=False, mask=4)
            try:
                return super().html(certificate)
            finally:
                certificate_pdf.qr_code = make

    return {
        "raster_qr": RasterQr,
        "flattened_logo": FlatLogo,
        "raster_qr_and_flat_logo": Both,
        "qr_fixed_mask": FixedMask,
    }


def alternatives() -> dict[str, tuple]:
    """Each alternative's render, over the last step (the collector quieted)."""
    return {name: (kind().render, True) for name, kind in alternative_batches().items()}


# --- end to end -----------------------------------------------------------------------------------
def _store_chunk(ids) -> tuple[int, float]:
    """Store a chunk's PDFs in this process; returns how many, and the CPU seconds it took."""
    from certificates.services.rendering import batch_queryset, store_many

    connections.close_all()  # the parent's connection is not ours to use
    cpu = time.process_time()
    stored = store_many(batch_queryset().filter(pk__in=ids).order_by("pk"))
    return stored, time.process_time() - cpu


def _child(ids, queue):
    try:
        queue.put(_store_chunk(ids))
    except Exception as error:  # reported to the parent, which fails the run
        queue.put(error)


def in_processes(ids, processes: int) -> tuple[int, float]:
    """Each process stores one chunk; returns how many were stored and the longest CPU time."""
    chunks = [ids[n::processes] for n in range(processes)]
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    connections.close_all()
    workers = [context.Process(target=_child, args=(chunk, queue)) for chunk in chunks]
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return sum(stored for stored, _cpu in results), max(cpu for _stored, cpu in results)


def clear_pdfs(session):
    from certificates.models import Certificate

    for certificate in Certificate.objects.filter(session=session).exclude(pdf=""):
        certificate.pdf.storage.delete(certificate.pdf.name)
    Certificate.objects.filter(session=session).update(pdf="", sha256="")


def on_demand(session, admin, *, fresh: bool = True) -> float:
    """The download view, for a certificate without a stored PDF: rendered, stored and sent.
    `fresh`: as the process's first certificate of this LSP and scheme (its images prepared and
    its back laid out now); otherwise one of the many that follow (they reuse both)."""
    from django.test import RequestFactory
    from django.urls import reverse

    from certificates import pdf
    from certificates.models import Certificate
    from certificates.views.pdf import certificate_pdf_view

    if fresh:
        pdf.forget_on_demand_batch()
    certificate = Certificate.objects.filter(session=session, pdf="").first()
    request = RequestFactory().get(reverse("certificate_pdf", args=[certificate.pk]))
    request.user = admin
    start = time.perf_counter()
    response = certificate_pdf_view(request, certificate.pk)
    seconds = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    certificate.refresh_from_db()
    assert certificate.sha256 == hashlib.sha256(response.content).hexdigest()
    return seconds


def run(count: int, sample: int, processes: int, show_alternatives: bool = False) -> bool:
    from certificates.models import Certificate
    from certificates.services.rendering import batch_queryset, store_many

    load = os.getloadavg()[0]  # other work on the machine lowers every figure below
    session, admin = build(count)
    certificates = list(batch_queryset().filter(session=session).order_by("pk"))
    few = certificates[:sample]

    ladder = steps()
    others = alternatives() if show_alternatives else {}
    rates = best_rates({**ladder, **others}, few)
    baseline = rates["naive_baseline"]
    for name in ladder:
        print(f"certificates_step_cpu_{name}: {rates[name]:.1f} certificates/s")
    for name, ms in where_time_goes(few).items():
        print(f"certificates_one_render_cpu_{name}: {ms:.1f} ms")
    for name in others:
        print(f"certificates_alternative_cpu_{name}: {rates[name]:.1f} certificates/s")

    start = time.perf_counter()
    stored = store_many(certificates)
    one_process = per_second(stored, time.perf_counter() - start)
    assert stored == count and not Certificate.objects.filter(session=session, sha256="").exists()

    clear_pdfs(session)
    ids = [c.pk for c in certificates]
    start = time.perf_counter()
    stored, busiest_cpu = in_processes(ids, processes)
    many = per_second(stored, time.perf_counter() - start)
    assert stored == count and not Certificate.objects.filter(session=session, sha256="").exists()

    clear_pdfs(session)
    on_demand_s = statistics.median(on_demand(session, admin) for _ in range(3))
    on_demand_next_s = statistics.median(on_demand(session, admin, fresh=False) for _ in range(5))

    print(f"certificates_load_average_before: {load:.2f}")
    print(f"certificates_count: {count} certificates")
    print(f"certificates_naive_baseline: {baseline:.1f} certificates/s")
    print(f"certificates_1_process: {one_process:.1f} certificates/s")
    print(f"certificates_1_process_vs_baseline: {one_process / baseline:.2f} x")
    print(f"certificates_{processes}_processes: {many:.1f} certificates/s")
    print(f"certificates_{processes}_processes_target: {TARGET_PER_SECOND} certificates/s")
    # What the same work gives when each process has a core to itself (the busiest process's
    # CPU time): on a machine shared with other work, the wall-clock figure above is lower.
    cpu_bound = per_second(count, busiest_cpu)
    print(f"certificates_{processes}_processes_cpu_bound: {cpu_bound:.1f} certificates/s")
    print(f"certificates_{processes}_processes_vs_baseline: {many / baseline:.2f} x")
    print(f"certificates_vs_baseline_target: {TARGET_RATIO} x")
    print(f"certificates_{count}_in_{processes}_processes: {count / many:.1f} s")
    print(f"certificates_on_demand: {on_demand_s:.2f} s")
    print(f"certificates_on_demand_same_scheme_again: {on_demand_next_s:.2f} s")
    print(f"certificates_on_demand_target: {TARGET_ON_DEMAND} s")
    size = Certificate.objects.filter(session=session).exclude(pdf="").first().pdf.size
    print(f"certificates_pdf_size: {size / 1024:.0f} KiB")
    return (
        many >= TARGET_PER_SECOND
        and many / baseline >= TARGET_RATIO
        and on_demand_s <= TARGET_ON_DEMAND
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=COUNT, help="certificates in the session")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="certificates per step")
    parser.add_argument("--processes", type=int, default=PROCESSES)
    parser.add_argument(
        "--alternatives",
        action="store_true",
        help="also measure what would close the gap, each giving something up",
    )
    args = parser.parse_args()
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", "No directory at")
    with tempfile.TemporaryDirectory() as folder:
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            # A file, not memory: the forked processes open it too.
            database.setdefault("TEST", {})["NAME"] = str(Path(folder) / "bench.sqlite3")
            database.setdefault("OPTIONS", {})["timeout"] = 30
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0)
        try:
            # The LSP's images and the PDFs go to a folder of this run's own, removed afterwards.
            with override_settings(MEDIA_ROOT=str(Path(folder) / "media")):
                ok = run(
                    args.count,
                    min(args.sample, args.count),
                    args.processes,
                    show_alternatives=args.alternatives,
                )
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
