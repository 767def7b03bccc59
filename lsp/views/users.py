from django.db.models import Prefetch

from ..access import is_lsp_admin
from ..filters import AuditFilter, UserFilter
from ..forms import UserForm
from ..models import AuditEntry, Role, User
from .base import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView

_ROLES = Prefetch("roles", queryset=Role.objects.select_related("lsp", "province"))


class UserList(ScopedListView):
    model = User
    filterset_class = UserFilter
    template_name = "lsp/user_list.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related(_ROLES)

    may_create = staticmethod(is_lsp_admin)


class UserDetail(ScopedDetailView):
    model = User
    template_name = "lsp/user_detail.html"
    context_object_name = "account"

    def get_queryset(self):
        return super().get_queryset().prefetch_related(_ROLES)


class UserCreate(ScopedCreateView):
    model = User
    form_class = UserForm

    may_create = staticmethod(is_lsp_admin)


class UserUpdate(ScopedUpdateView):
    model = User
    form_class = UserForm


class AuditList(ScopedListView):
    model = AuditEntry
    filterset_class = AuditFilter
    list_select_related = ("actor", "content_type")
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        if request.user.is_authenticated and not is_lsp_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
