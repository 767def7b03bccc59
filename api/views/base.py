"""What every API view shares: the user's scope through the model's QuerySet, the language,
the date the rules are evaluated on."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from lsp.access import is_lsp_admin

from ..serializers.writing import form_errors


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


class ScopedWriteViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """A resource the pages let LSP admins create and change (never delete), through the page's
    form (`input_serializer_class`, a `PageFormSerializer`). Who may: `may_create(user)` as the
    page's create view; an update needs the object in `editable_by(user)` (404 when not even
    visible, 403 when read-only), as the page's update view. The answer is the resource as read.
    """

    input_serializer_class = None
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    may_create = staticmethod(is_lsp_admin)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.input_serializer_class
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        if not self.may_create(request.user):
            raise exceptions.PermissionDenied
        return self._save(self.get_serializer(data=request.data), status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        visible = self.get_object()  # 404 outside the user's scope, as reading
        # Read-only for the user (a Disdikbud viewer, an assessor): 403, as the page's form.
        instance = self.model.objects.editable_by(request.user).filter(pk=visible.pk).first()
        if instance is None:
            raise exceptions.PermissionDenied
        writer = self.get_serializer(instance, data=request.data, partial=partial)
        return self._save(writer, status.HTTP_200_OK)

    def _save(self, writer, success_status):
        writer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                saved = writer.save()
        except IntegrityError:
            # Another request saved the same NISN, code… in the meantime: the form says which.
            form = writer.form
            form.validate_unique()
            errors = form_errors(form, writer.renamed_errors) or {
                "non_field_errors": [_("This conflicts with data saved meanwhile; try again.")]
            }
            raise exceptions.ValidationError(errors) from None
        fresh = self.get_queryset().get(pk=saved.pk)
        context = self.get_serializer_context()
        return Response(self.serializer_class(fresh, context=context).data, status=success_status)
