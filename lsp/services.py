"""Read-side summaries for the home pages. Every count is scoped: no page counts a whole table."""

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from .access import scope_of
from .models import Lsp, Province, Regency, School, Tuk


def lsp_overview(lsp: Lsp, today: datetime.date | None = None) -> dict:
    """What an LSP's admin checks first: its schools, its TUKs and what expires soon."""
    today = today or timezone.localdate()
    warn = settings.EXPIRY_WARNING_DAYS
    tuks = lsp.tuks.select_related("regency").order_by("name")
    return {
        "schools": lsp.schools().select_related("regency").order_by("name"),
        "tuks": tuks,
        "tuks_usable_count": tuks.usable_on(today).count(),
        "tuks_expiring": tuks.verification_expiring(today, warn),
        "tuks_lapsed": tuks.filter(verified_until__lt=today),
        "licence_expiring": lsp.licence_valid_until is not None
        and today <= lsp.licence_valid_until <= today + datetime.timedelta(days=warn),
        "licence_lapsed": lsp.licence_valid_until is not None and lsp.licence_valid_until < today,
        "today": today,
    }


def province_overview(province: Province, user, today: datetime.date | None = None) -> dict:
    """A province at a glance, per regency: schools, LSPs and verified TUKs."""
    today = today or timezone.localdate()
    usable = Tuk.objects.usable_on(today).values("pk")
    regencies = (
        Regency.objects.filter(province=province)
        .annotate(
            school_count=Count("schools", distinct=True),
            tuk_count=Count("tuks", filter=Q(tuks__pk__in=usable), distinct=True),
        )
        .order_by("code")
    )
    lsps = (
        Lsp.objects.for_user(user)
        .filter(province=province)
        .select_related("host_school")
        .annotate(tuk_count=Count("tuks", filter=Q(tuks__pk__in=usable), distinct=True))
        .order_by("name")
    )
    warn = settings.EXPIRY_WARNING_DAYS
    return {
        "regencies": regencies,
        "province_lsps": lsps,
        "school_count": School.objects.filter(regency__province=province).count(),
        "lsps_licence_expiring": lsps.licence_expiring(today, warn),
        "today": today,
    }


def role_homes(user) -> list[dict]:
    """One entry per role the user holds: where it lands and what it is for."""
    from django.apps import apps
    from django.urls import reverse
    from django.utils.translation import gettext as _

    scope = scope_of(user)
    homes = []
    if scope.superuser:
        homes.append(
            {
                "kind": "superuser",
                "title": _("Site administration"),
                "subtitle": _("All provinces and LSPs"),
                "url": reverse("site_home"),
            }
        )
    for lsp in Lsp.objects.filter(pk__in=scope.admin_lsp_ids).order_by("name"):
        homes.append(
            {
                "kind": "lsp_admin",
                "title": _("LSP admin"),
                "subtitle": lsp.name,
                "url": reverse("lsp_dashboard", args=[lsp.pk]),
            }
        )
    if scope.assessor_lsp_ids:
        names = Lsp.objects.filter(pk__in=scope.assessor_lsp_ids).order_by("name")
        homes.append(
            {
                "kind": "assessor",
                "title": _("Assessor"),
                "subtitle": ", ".join(lsp.name for lsp in names),
                "url": reverse("assessor_home"),
            }
        )
    if scope.viewer_province_ids:
        # One dashboard shows every province the user views; each province's page links from it.
        names = Province.objects.filter(pk__in=scope.viewer_province_ids).order_by("name")
        homes.append(
            {
                "kind": "viewer",
                "title": _("Disdikbud viewer"),
                "subtitle": ", ".join(province.name for province in names),
                "url": reverse("province_dashboard"),
            }
        )
    if user.is_authenticated and not scope.assessor_lsp_ids:
        # A teacher of a school who is not an assessor (an assessor reaches it from their home).
        # The record lives in the layer above; named by string, not imported.
        teacher = (
            apps.get_model("development", "Teacher")
            .objects.filter(user=user)
            .select_related("school")
            .first()
        )
        if teacher is not None:
            homes.append(
                {
                    "kind": "teacher",
                    "title": _("Teacher"),
                    "subtitle": teacher.school.name,
                    "url": reverse("development_mine"),
                }
            )
    return homes
