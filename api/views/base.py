"""What every API view shares: the user's scope through the model's QuerySet, the language,
the date the rules are evaluated on."""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import viewsets


def api_language(request) -> str | None:
    """An API client may ask for English or Indonesian with Accept-Language (pages use a
    cookie instead)."""
    available = {code for code, _name in settings.LANGUAGES}
    header = request.headers.get("Accept-Language", "")
    for code, _quality in parse_accept_lang_header(header):
        base = code.split("-")[0].lower()
        if base in available:
            return base
    return None


class KompetenApiMixin:
    def initial(self, request, *args, **kwargs):
        language = api_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        self.today = timezone.localdate()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        return response

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = getattr(self, "today", None) or timezone.localdate()
        return context


class ScopedViewSet(KompetenApiMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only resource over `model.objects.for_user(user)`: never another scope rule.

    `prepare(queryset)` adds what the serializer reads (joins, prefetches, annotations) in a
    fixed number of queries. With `annotate_editable`, each row carries `api_editable` from
    `model.objects.editable_by(user)` (personal fields are shown only to editors).
    """

    model = None
    annotate_editable = False

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return self.model.objects.none()
        user = self.request.user
        queryset = self.model.objects.for_user(user)
        if self.annotate_editable:
            editable = self.model.objects.editable_by(user).filter(pk=OuterRef("pk"))
            queryset = queryset.annotate(api_editable=Exists(editable))
        return self.prepare(queryset)

    def prepare(self, queryset):
        return queryset
