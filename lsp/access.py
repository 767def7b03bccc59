"""Who may see what: the one place that turns a user into the scope every QuerySet filters by.

Each model's QuerySet has `for_user(user)` (what the user may read) and, where the model can be
changed in the UI, `editable_by(user)`. Views, exports, jobs and the API all go through them.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


@dataclass(frozen=True)
class Scope:
    superuser: bool = False
    admin_lsp_ids: frozenset[int] = field(default_factory=frozenset)
    assessor_lsp_ids: frozenset[int] = field(default_factory=frozenset)
    viewer_province_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def staff_lsp_ids(self) -> frozenset[int]:
        """LSPs whose data the user works with: as admin or as assessor."""
        return self.admin_lsp_ids | self.assessor_lsp_ids

    @property
    def is_empty(self) -> bool:
        return not (self.superuser or self.staff_lsp_ids or self.viewer_province_ids)

    def cache_key(self) -> tuple:
        """The same for two users exactly when they may see the same data (for keeping what
        one was shown for the other)."""
        if self.superuser:
            return ("all",)
        return (
            ("admin", *sorted(self.admin_lsp_ids)),
            ("assessor", *sorted(self.assessor_lsp_ids)),
            ("viewer", *sorted(self.viewer_province_ids)),
        )


NO_SCOPE = Scope()


def scope_of(user) -> Scope:
    """The user's roles, read once per request and kept on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_kompeten_scope", None)
    if cached is not None:
        return cached
    from .models import Role

    admin, assessor, viewer = set(), set(), set()
    for kind, lsp_id, province_id in user.roles.values_list("kind", "lsp_id", "province_id"):
        if kind == Role.Kind.LSP_ADMIN:
            admin.add(lsp_id)
        elif kind == Role.Kind.ASSESSOR:
            assessor.add(lsp_id)
        elif kind == Role.Kind.VIEWER:
            viewer.add(province_id)
    scope = Scope(
        superuser=user.is_superuser,
        admin_lsp_ids=frozenset(admin),
        assessor_lsp_ids=frozenset(assessor),
        viewer_province_ids=frozenset(viewer),
    )
    user._kompeten_scope = scope
    return scope


def get_visible_or_404(queryset, user, **lookup):
    """An object the user may read; 404 outside their scope (its existence is not told)."""
    return get_object_or_404(queryset.for_user(user), **lookup)


def get_editable_or_deny(queryset, user, **lookup):
    """An object the user may change: 404 when they cannot even see it, 403 when read-only."""
    obj = get_visible_or_404(queryset, user, **lookup)
    if not queryset.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


def is_lsp_admin(user) -> bool:
    """Admin of at least one LSP (or superuser): may create schools, TUKs and accounts."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.admin_lsp_ids)
