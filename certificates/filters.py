import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Scheme
from lsp.access import scope_of
from lsp.filters import KompetenFilterSet
from lsp.models import Lsp

from .models import Certificate

STATES = [
    ("valid", _("Valid")),
    ("expired", _("Expired")),
    ("revoked", _("Revoked")),
    ("replaced", _("Replaced")),
]


class CertificateFilter(KompetenFilterSet):
    """Works on `Certificate.objects.for_user(user)`."""

    q = django_filters.CharFilter(label=_("Name or number"), method="search")
    lsp = django_filters.ModelChoiceFilter(label=_("LSP"), queryset=Lsp.objects.none())
    scheme = django_filters.ModelChoiceFilter(label=_("Scheme"), queryset=Scheme.objects.none())
    session = django_filters.CharFilter(label=_("Schedule code"), method="in_session")
    state = django_filters.ChoiceFilter(label=_("Status"), choices=STATES, method="in_state")
    year = django_filters.TypedChoiceFilter(label=_("Year"), coerce=int, choices=())

    class Meta:
        model = Certificate
        fields = ["q", "lsp", "scheme", "session", "state", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        scope = scope_of(user)
        if scope.superuser or scope.viewer_province_ids or len(scope.admin_lsp_ids) > 1:
            self.filters["lsp"].queryset = Lsp.objects.for_user(user).order_by("name")
        else:
            del self.filters["lsp"]
        self.filters["scheme"].queryset = Scheme.objects.for_user(user).order_by("title")
        years = (
            Certificate.objects.for_user(user)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        self.filters["year"].extra["choices"] = [(y, str(y)) for y in years]

    def search(self, queryset, name, value):
        value = " ".join(value.split())
        return queryset.filter(
            Q(holder_name__icontains=value)
            | Q(number__icontains=value)
            | Q(blank_number__iexact=value)
        )

    def in_session(self, queryset, name, value):
        return queryset.filter(session__code__iexact=value.strip())

    def in_state(self, queryset, name, value):
        today = timezone.localdate()
        valid = Certificate.Status.VALID
        if value == "valid":
            return queryset.filter(status=valid, valid_until__gte=today)
        if value == "expired":
            return queryset.filter(status=valid, valid_until__lt=today)
        return queryset.filter(status=value)
