from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import scope_of


def _is_teacher(user) -> bool:
    """A teacher's account without a role (the record lives in the layer above)."""
    return apps.get_model("development", "Teacher").objects.filter(user=user).exists()


def navigation(request):
    """The menu shows only what the user's roles let them use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_of(user)
    items = [(_("Home"), reverse("home"), "house")]
    if scope.viewer_province_ids:  # a superuser reaches it from the site's home (nav width)
        items.append((_("Dashboard"), reverse("province_dashboard"), "bar-chart-line"))
    if scope.superuser or scope.staff_lsp_ids or scope.viewer_province_ids:
        items += [
            (_("LSPs"), reverse("lsp_list"), "award"),
            (_("Schools"), reverse("school_list"), "building"),
            (_("TUKs"), reverse("tuk_list"), "geo-alt"),
        ]
    if scope.superuser or scope.staff_lsp_ids or scope.viewer_province_ids:
        items.append((_("Schemes"), reverse("scheme_list"), "journal-check"))
    if scope.superuser or scope.admin_lsp_ids or scope.viewer_province_ids:
        items.append((_("Sessions"), reverse("session_list"), "calendar-check"))
    if scope.assessor_lsp_ids:
        items.append((_("My assessments"), reverse("assess_home"), "clipboard-check"))
    if scope.superuser or scope.admin_lsp_ids or scope.viewer_province_ids:
        items.append((_("Assessors"), reverse("assessor_list"), "person-badge"))
    if scope.superuser or scope.admin_lsp_ids or scope.viewer_province_ids:
        items.append((_("Certificates"), reverse("certificate_list"), "patch-check"))
    if scope.assessor_lsp_ids:
        items.append((_("My profile"), reverse("assessor_profile"), "person-vcard"))
    if scope.assessor_lsp_ids or (scope.is_empty and _is_teacher(user)):
        items.append((_("My development points"), reverse("development_mine"), "mortarboard"))
    if scope.superuser or scope.admin_lsp_ids:
        items.append((_("Students"), reverse("candidate_list"), "mortarboard"))
    if scope.superuser or scope.viewer_province_ids:
        items.append((_("Regions"), reverse("regency_list"), "map"))
    if scope.superuser or scope.admin_lsp_ids:
        items += [
            (_("Users"), reverse("user_list"), "people"),
            (_("Audit trail"), reverse("audit_list"), "clock-history"),
        ]
    return {
        "nav_items": [
            {"label": label, "url": url, "icon": icon} for label, url, icon in items if url
        ],
        "user_scope": scope,
    }
