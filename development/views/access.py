"""The teachers a request may open: their own record, or an admin's schools' teachers."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from lsp.access import scope_of

from ..models import Teacher


def workable_teachers(user):
    """Teachers whose page the user opens: themself, or those they manage (never a viewer)."""
    if not user.is_authenticated:
        return Teacher.objects.none()
    managed = Teacher.objects.managed_by(user)
    if scope_of(user).superuser:
        return managed
    return Teacher.objects.filter(Q(pk__in=managed.values("pk")) | Q(user=user))


def get_teacher_or_404(user, pk):
    return get_object_or_404(
        workable_teachers(user).select_related("school", "assessor", "user"), pk=pk
    )
