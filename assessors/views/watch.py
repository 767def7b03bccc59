"""The watch page: whose certificate expires soon, who is at risk, who must retrain, who may renew.

Everything comes from `Assessor.objects.for_user(user).with_status(today).with_recognition(today)`,
the same rule as the assessor's page, the daily job and the dashboards. Each list downloads as
Excel (audited); viewers read their province and get no NIK, e-mail or phone.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.audit import write_entry
from lsp.models import AuditEntry, Lsp
from lsp.spreadsheets import build_workbook, workbook_response

from ..models import Assessor, AssessorFlag, Outcome, Status
from ..models.recognition import threshold
from ..models.registry import warning_days
from .assessors import ordered_lsps

SHOWN = 100  # rows per list on the page; the download has them all
FLAGS_SHOWN = 50


@dataclass(frozen=True)
class WatchList:
    key: str
    title: object
    help: object
    filter: Q
    order: tuple[str, ...]
    file: str  # the download's name and sheet, in Indonesian as the files the LSP keeps


LISTS = (
    WatchList(
        "expiring",
        _("Certificates expiring soon"),
        _("Valid for at most %(days)s more days."),
        Q(status=Status.EXPIRING),
        ("current_valid_until", "full_name", "pk"),
        "segera-kedaluwarsa",
    ),
    WatchList(
        "at_risk",
        _("At risk"),
        _("Below the threshold with less than %(at_risk)s days left: assessments are missing."),
        Q(outcome=Outcome.AT_RISK),
        ("current_valid_until", "full_name", "pk"),
        "berisiko",
    ),
    WatchList(
        "must_retrain",
        _("Must retrain"),
        _("The certificate has expired: full assessor training and assessment again."),
        Q(outcome=Outcome.MUST_RETRAIN),
        ("-current_valid_until", "full_name", "pk"),
        "wajib-pelatihan-ulang",
    ),
    WatchList(
        "eligible",
        _("Eligible for RCC"),
        _("The threshold is reached within the window: plan their RCC."),
        Q(outcome=Outcome.ELIGIBLE),
        ("current_valid_until", "full_name", "pk"),
        "layak-rcc",
    ),
)
BY_KEY = {w.key: w for w in LISTS}


def require_watcher(user):
    """LSP admins (their LSPs), viewers (their province, read-only) and the superuser."""
    scope = scope_of(user)
    if not (scope.superuser or scope.admin_lsp_ids or scope.viewer_province_ids):
        raise PermissionDenied
    return scope


def scoped(user, lsp: Lsp | None = None):
    """The user's assessors, or those of one LSP among them."""
    assessors = Assessor.objects.for_user(user)
    return assessors.serving([lsp.pk]) if lsp is not None else assessors


def watched(user, today: datetime.date, lsp: Lsp | None = None):
    return scoped(user, lsp).with_status(today).with_recognition(today)


def watch_counts(queryset) -> dict[str, int]:
    """{list key: assessors}, one query."""
    rows = queryset.order_by().values("status", "outcome").annotate(n=Count("pk"))
    counts = dict.fromkeys(BY_KEY, 0)
    for row in rows:
        if row["status"] == Status.EXPIRING:
            counts["expiring"] += row["n"]
        if row["outcome"] in counts:
            counts[row["outcome"]] += row["n"]
    return counts


def _chosen_lsp(request) -> Lsp | None:
    """`?lsp=<id>`: one of the LSPs the user may see; anything else is 404."""
    wanted = request.GET.get("lsp", "")
    if not wanted:
        return None
    if not wanted.isdigit():
        raise Http404
    lsp = Lsp.objects.for_user(request.user).filter(pk=int(wanted)).first()
    if lsp is None:
        raise Http404
    return lsp


def _rows(queryset, watch: WatchList, today: datetime.date, limit: int | None = None) -> list:
    rows = queryset.filter(watch.filter).select_related("home_school").order_by(*watch.order)
    rows = list(rows[:limit] if limit else rows)
    for assessor in rows:
        until = assessor.current_valid_until
        assessor.days_left = (until - today).days if until else None
        assessor.days_ago = -assessor.days_left if until and until < today else None
    return rows


@login_required
def assessor_watch(request):
    scope = require_watcher(request.user)
    today = timezone.localdate()
    lsp = _chosen_lsp(request)
    queryset = watched(request.user, today, lsp)
    counts = watch_counts(queryset)
    params = {"days": warning_days(), "at_risk": settings.RCC_AT_RISK_DAYS}
    lists = []
    for watch in LISTS:
        rows = _rows(queryset, watch, today, SHOWN) if counts[watch.key] else []
        lists.append(
            {
                "key": watch.key,
                "title": watch.title,
                "help": str(watch.help) % params,
                "rows": rows,
                "count": counts[watch.key],
                "more": counts[watch.key] - len(rows),
            }
        )
    # One query for the LSPs of every row of every list.
    prefetch_related_objects([a for w in lists for a in w["rows"]], ordered_lsps)
    flags = (
        AssessorFlag.objects.filter(assessor__in=scoped(request.user, lsp).values("pk"))
        .select_related("assessor")
        .order_by("-raised_on", "-pk")[:FLAGS_SHOWN]
    )
    lsps = list(Lsp.objects.for_user(request.user).order_by("name").only("name"))
    return render(
        request,
        "assessors/watch.html",
        {
            "today": today,
            "lists": lists,
            "counts": counts,
            "threshold": threshold(),
            "flags": list(flags),
            "lsp": lsp,
            "lsps": lsps,
            "is_admin": scope.superuser or bool(scope.admin_lsp_ids),
        },
    )


# --- Excel ----------------------------------------------------------------------------------------
HEADERS = ["Nama Lengkap", "No. Registrasi MET"]
PERSONAL_HEADERS = ["NIK", "Email", "No. HP"]
REST_HEADERS = [
    "Sekolah Asal",
    "LSP",
    "Sertifikat Berlaku s.d.",
    "Sisa Hari",
    "Asesmen Dilakukan",
    "Ambang RCC",
    "Hasil",
]


@login_required
def assessor_watch_export(request):
    """One list as Excel. Viewers get no NIK, e-mail or phone; every download is audited."""
    scope = require_watcher(request.user)
    watch = BY_KEY.get(request.GET.get("list", ""))
    if watch is None:
        raise Http404
    today = timezone.localdate()
    lsp = _chosen_lsp(request)
    rows = _rows(watched(request.user, today, lsp), watch, today)
    prefetch_related_objects(rows, ordered_lsps)
    personal = scope.superuser or bool(scope.admin_lsp_ids)
    editable = set()
    if personal and not scope.superuser:
        ids = [a.pk for a in rows]
        editable = set(
            Assessor.objects.editable_by(request.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
    headers = HEADERS + (PERSONAL_HEADERS if personal else []) + REST_HEADERS
    rcc = threshold()

    def row(a: Assessor) -> list:
        cells = [a.full_name, a.met_number]
        if personal:
            mine = scope.superuser or a.pk in editable
            cells += [a.nik, a.email, a.phone] if mine else ["", "", ""]
        return [
            *cells,
            a.home_school.name if a.home_school else "",
            ", ".join(lsp.name for lsp in a.lsps.all()),
            a.current_valid_until,
            a.days_left,
            a.assessments_done,
            rcc,
            str(Outcome(a.outcome).label),
        ]

    workbook = build_workbook(
        title=watch.file,
        headers=headers,
        rows=(row(a) for a in rows),
        text_columns={1, 2, 4} if personal else {1},
        date_columns={headers.index("Sertifikat Berlaku s.d.")},
        blank_rows=0,
    )
    write_entry(
        action=AuditEntry.Action.EXPORT,
        label=f"Ekspor pantauan asesor: {watch.file} ({len(rows)} baris)",
        changes={
            "list": watch.key,
            "lsp": lsp.pk if lsp else None,
            "personal": personal,
            "rows": len(rows),
        },
        actor=request.user,
        lsp_ids=scope.staff_lsp_ids,
        province_id=min(scope.viewer_province_ids, default=None),
    )
    return workbook_response(workbook, filename=f"asesor-{watch.file}-{today:%Y%m%d}.xlsx")
