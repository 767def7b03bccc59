"""Generic views that read and write only through the model's `for_user` / `editable_by`."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from ..access import get_editable_or_deny, scope_of


class ScopedListView(LoginRequiredMixin, FilterView):
    paginate_by = 25
    template_name_suffix = "_list"
    list_select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.model.objects.for_user(self.request.user)
        if self.list_select_related:
            qs = qs.select_related(*self.list_select_related)
        return qs

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_create"] = self.may_create(self.request.user)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query_without_page"] = query.urlencode()
        return ctx

    @staticmethod
    def may_create(user) -> bool:
        return scope_of(user).superuser


class ScopedDetailView(LoginRequiredMixin, DetailView):
    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_edit"] = (
            self.model.objects.editable_by(self.request.user).filter(pk=self.object.pk).exists()
        )
        return ctx


class FormUserMixin:
    """Hands the user to the form, which limits its choices to what the user may pick."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.success_text % {"object": self.object})
        return response


class ScopedCreateView(LoginRequiredMixin, FormUserMixin, CreateView):
    template_name = "includes/form_page.html"
    success_text = _("%(object)s was saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.may_create(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def may_create(user) -> bool:
        return scope_of(user).superuser


class ScopedUpdateView(LoginRequiredMixin, FormUserMixin, UpdateView):
    template_name = "includes/form_page.html"
    success_text = _("%(object)s was saved.")

    def get_object(self, queryset=None):
        return get_editable_or_deny(self.model.objects, self.request.user, pk=self.kwargs["pk"])
