"""How long a school's 1,000-student Excel file takes to preview, commit and import again.

Runs alone: `.venv/bin/python bench/students_import.py`. It builds a throwaway test database
(SQLite in memory, or a test database beside DATABASE_URL's), prints `name: value unit` lines and
drops the database again.
"""

import datetime
import io
import logging
import os
import random
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

import openpyxl  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

ROWS = 1000
TARGET_SECONDS = 5
FIRST_NAMES = [
    "Ahmad",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fitri",
    "Gilang",
    "Hana",
    "Indra",
    "Joko",
    "Kartika",
    "Lestari",
    "Muhammad",
]
LAST_NAMES = [
    "Pratama",
    "Saputra",
    "Wulandari",
    "Hidayat",
    "Nugroho",
    "Rahmawati",
    "Setiawan",
    "Kurniawan",
    "Sari",
]
PLACES = ["Samarinda", "Balikpapan", "Bontang", "Tenggarong", "Kutai Kartanegara", "Berau"]


def school_file(concentrations, rows=ROWS, seed=1):
    """A workbook as schools send them: some NISNs typed as numbers, dates in several forms."""
    rng = random.Random(seed)
    from assessments.services.student_import import HEADERS

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for n in range(1, rows + 1):
        born = datetime.date(2007, 1, 1) + datetime.timedelta(days=rng.randrange(900))
        concentration = rng.choice(concentrations)
        level = rng.choice(["X", "XI", "XII"])
        sheet.append(
            [
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                n if n % 3 == 0 else f"{n:010d}",  # a third lost their leading zeros
                f"6472{n:012d}",
                rng.choice(PLACES),
                born if n % 2 else born.strftime("%d/%m/%Y"),
                rng.choice("LP"),
                f"Jl. Merdeka No. {n}, Samarinda",
                f"08{rng.randrange(10**9, 10**10)}",
                f"siswa{n}@example.id" if n % 4 == 0 else None,
                concentration.abbreviation
                if n % 2
                else f"{concentration.abbreviation} - {concentration.name}",
                f"{level} {concentration.abbreviation} {rng.randint(1, 3)}",
                "2025/2026",
                2026,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def _preview_page(batch, admin) -> float:
    """The preview page lists every row: its rendering is part of what the admin waits for."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(admin)
    response, seconds = timed(
        lambda: client.get(reverse("candidate_import_preview", args=[batch.pk]))
    )
    assert response.status_code == 200, response.status_code
    return seconds


def run():
    from assessments.models import Candidate
    from assessments.services.student_import import commit_students, preview_students
    from tests import factories

    lsp = factories.LspFactory()
    school = lsp.host_school
    school.concentrations.add(*[factories.concentration(a) for a in ("TKJ", "RPL", "AKL")])
    admin = factories.lsp_admin(lsp, username="bench.admin")
    content = school_file(list(school.concentrations.all()))

    def preview():
        file = io.BytesIO(content)
        return preview_students(school=school, file=file, filename="siswa.xlsx", user=admin)

    batch, preview_s = timed(preview)
    assert not batch.has_errors, [r["errors"] for r in batch.rows if r["errors"]][:3]
    page_s = _preview_page(batch, admin)
    result, commit_s = timed(lambda: commit_students(batch=batch, user=admin))
    assert result.created == ROWS and Candidate.objects.count() == ROWS

    again, reimport_preview_s = timed(preview)
    result, reimport_commit_s = timed(lambda: commit_students(batch=again, user=admin))
    assert result.unchanged == ROWS, result

    print(f"students_import_preview_{ROWS}_rows: {preview_s:.2f} s")
    print(f"students_import_preview_target: {TARGET_SECONDS} s")
    print(f"students_import_preview_page_{ROWS}_rows: {page_s:.2f} s")
    print(f"students_import_commit_{ROWS}_rows: {commit_s:.2f} s")
    print(f"students_import_commit_target: {TARGET_SECONDS} s")
    print(f"students_import_reimport_{ROWS}_rows: {reimport_preview_s + reimport_commit_s:.2f} s")
    return preview_s <= TARGET_SECONDS and commit_s <= TARGET_SECONDS


def main():
    # Only the figures on stdout: no login chatter, no warning about uncollected static files.
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", "No directory at")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        ok = run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
