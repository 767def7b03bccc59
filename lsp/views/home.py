from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from ..access import scope_of
from ..models import Lsp, Province, Tuk
from ..services import role_homes


@login_required
def home(request):
    """Each role lands on its own page; a user holding several roles chooses among them."""
    homes = role_homes(request.user)
    if len(homes) == 1:
        return redirect(homes[0]["url"])
    return render(request, "lsp/home.html", {"homes": homes})


@login_required
def assessor_home(request):
    scope = scope_of(request.user)
    if not scope.assessor_lsp_ids:
        raise PermissionDenied
    lsps = Lsp.objects.filter(pk__in=scope.assessor_lsp_ids).select_related("host_school")
    tuks = Tuk.objects.filter(lsp__in=lsps).select_related("lsp").order_by("lsp__name", "name")
    # The assessor record lives in the layer above; named by string, not imported.
    assessor = apps.get_model("assessors", "Assessor").objects.filter(user=request.user).first()
    return render(
        request,
        "lsp/assessor_home.html",
        {"lsps": lsps, "tuks": tuks, "assessor": assessor, "today": timezone.localdate()},
    )


@login_required
def site_home(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    from django.db.models import Count

    provinces = (
        Province.objects.annotate(lsp_count=Count("lsps")).filter(lsp_count__gt=0).order_by("code")
    )
    return render(request, "lsp/site_home.html", {"provinces": provinces})
