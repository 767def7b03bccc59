"""The demo assessors' technical scope: the demo schemes each may assess.

Seeded here, not in assessors/demo.py, because the schemes are made by assessments/demo.py, which
runs after it. Each assessor gets the schemes of the LSPs they serve whose concentration is one of
their fields (1–3 schemes); the demo account's assessor (asesor1) gets every scheme of his LSPs, all
valid. A scope is looked up by (assessor, scheme) and saved only where a value differs; validity is
relative to the demo's day, so a couple of scopes have always just lapsed.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from assessors.demo import ASSESSORS, NIKS
from assessors.models import CERTIFICATE_YEARS, Assessor, TechnicalScope
from lsp.demo import DemoSummary, _upsert

from .models import Scheme

# Scopes that ran out (days ago): the assessor is valid but may not assess that scheme for now.
LAPSED = {"Rahmat Hidayat, S.Pd.": 30, "Wahyudi, S.Kom.": 60}


def seed_scopes(*, summary: DemoSummary, codes: list[str], today: datetime.date | None) -> None:
    today = today or timezone.localdate()
    schemes = list(
        Scheme.objects.filter(code__in=codes)
        .select_related("lsp", "concentration")
        .order_by("code")
    )
    assessors = Assessor.objects.in_bulk(NIKS, field_name="nik")
    for index, (nik, seed) in enumerate(zip(NIKS, ASSESSORS, strict=True)):
        assessor = assessors.get(nik)
        if assessor is None:
            continue
        in_scope = [
            scheme
            for scheme in schemes
            if scheme.lsp.name in seed.lsps and (seed.username or _field(scheme) in seed.fields)
        ]
        for number, scheme in enumerate(in_scope):
            if seed.full_name in LAPSED:
                valid_until = today - datetime.timedelta(days=LAPSED[seed.full_name])
            else:  # one to three years ahead
                days = 365 + (173 * index + 89 * number) % 730
                valid_until = today + datetime.timedelta(days=days)
            issued = valid_until - relativedelta(years=CERTIFICATE_YEARS)
            _upsert(
                TechnicalScope,
                summary=summary,
                lookup={"assessor": assessor, "scheme": scheme},
                values={
                    "certificate_number": (
                        f"KOM/{_field(scheme)}/{issued.year}/{120 + 31 * index + number:05d}"
                    ),
                    "valid_until": valid_until,
                },
            )
    summary.totals["technical scopes"] = TechnicalScope.objects.filter(
        assessor__nik__in=NIKS, scheme__code__in=codes
    ).count()


def _field(scheme: Scheme) -> str:
    return scheme.concentration.abbreviation if scheme.concentration else "SKM"
