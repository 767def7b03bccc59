"""How long the FR.AK.05 PDF of a 300-asesi session takes, from the request to the last byte.

Runs alone: `.venv/bin/python bench/ak05_pdf.py`. It builds a throwaway test database (SQLite in
memory, or a test database beside DATABASE_URL's) holding one decided session: 300 asesi, 10 units,
15 assessors over 2 days, a mix of K and BK. It prints `name: value unit` lines and drops the
database again.
"""

import datetime
import io
import logging
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

STUDENTS = 300
UNITS = 10
ASSESSORS = 15
DAYS = 2
TARGET_SECONDS = 5


def _logo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def build():
    """A decided session: every asesi has a verdict on every unit; about one in five is BK."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from assessments.models import Candidate, Enrolment, SchemeUnit, SessionAssessor, UnitVerdict
    from tests import factories

    rng = random.Random(5)
    lsp = factories.LspFactory()
    lsp.logo.save("logo.png", ContentFile(_logo()), save=True)
    admin = factories.lsp_admin(lsp, username="bench.admin")
    session = factories.SessionFactory(
        lsp=lsp,
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        end_date=timezone.localdate() - datetime.timedelta(days=30 - DAYS + 1),
        status="decided",
        decided_at=timezone.now(),
        decided_by=admin,
    )
    units = [factories.UnitFactory(lsp=lsp) for _ in range(UNITS)]
    SchemeUnit.objects.bulk_create(
        SchemeUnit(scheme=session.scheme, unit=unit, order=n) for n, unit in enumerate(units)
    )
    assessors = [factories.AssessorFactory(lsps=[lsp]) for _ in range(ASSESSORS)]
    SessionAssessor.objects.bulk_create(
        SessionAssessor(session=session, assessor=a, report_notes="Asesmen berjalan lancar.")
        for a in assessors
    )
    concentration = factories.concentration()
    candidates = Candidate.objects.bulk_create(
        Candidate(
            full_name=f"Asesi Uji {n:03d} Pratama",
            nisn=f"{n + 1:010d}",
            nik=f"6472{n + 1:012d}",
            birth_place="Samarinda",
            birth_date=datetime.date(2008, 5, 17),
            sex=rng.choice("LP"),
            school=lsp.host_school,
            concentration=concentration,
            level="XII",
            class_name=f"XII TKJ {n % 3 + 1}",
            school_year="2025/2026",
        )
        for n in range(STUDENTS)
    )
    days = session.days
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            session=session,
            candidate=candidate,
            assessor=assessors[n % ASSESSORS],
            assessment_date=days[(n // ASSESSORS) % DAYS],
            eligibility="eligible",
            submitted_at=timezone.now(),
        )
        for n, candidate in enumerate(candidates)
    )
    verdicts, decisions = [], []
    for enrolment in enrolments:
        failed = set(rng.sample(units, rng.choice([1, 2]))) if rng.random() < 0.2 else set()
        for unit in units:
            verdict = "BK" if unit in failed else "K"
            verdicts.append(
                UnitVerdict(
                    enrolment=enrolment,
                    unit=unit,
                    verdict=verdict,
                    methods=["observation", "oral"],
                    recorded_by=admin,
                )
            )
        enrolment.decision = "BK" if failed else "K"
        enrolment.decided_at = timezone.now()
        decisions.append(enrolment)
    UnitVerdict.objects.bulk_create(verdicts, batch_size=1000)
    Enrolment.objects.bulk_update(decisions, ["decision", "decided_at"], batch_size=500)
    return session, admin


def run():
    from django.test import Client
    from django.urls import reverse

    from assessments import forms_pdf
    from assessments.models import Enrolment
    from lsp import pdf

    session, admin = build()
    client = Client()
    client.force_login(admin)
    url = reverse("session_document", args=[session.pk, forms_pdf.AK05.slug])
    # A server process loads the fonts and the base stylesheet once, at its first PDF.
    pdf.render_pdf(
        forms_pdf.AK05.template, forms_pdf.ak05_context(session, session.enrolments.none())
    )
    start = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - start
    assert response.status_code == 200 and response.content.startswith(b"%PDF"), response
    context = forms_pdf.ak05_context(session, Enrolment.objects.filter(session=session))
    pages = len(pdf.render_document(forms_pdf.AK05.template, context).pages)
    print(f"ak05_pdf_{STUDENTS}: {seconds:.2f} s")
    print(f"ak05_pdf_{STUDENTS}_target: {TARGET_SECONDS} s")
    print(f"ak05_pdf_{STUDENTS}_pages: {pages} pages")
    print(f"ak05_pdf_{STUDENTS}_size: {len(response.content) / 1024:.0f} KiB")
    return seconds <= TARGET_SECONDS


def main():
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", "No directory at")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        # The LSP's logo goes to a folder of this run's own, removed afterwards.
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            ok = run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
