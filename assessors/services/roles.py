"""An assessor's user account holds exactly one assessor role per LSP the assessor serves.

Roles are what `lsp.access.scope_of` reads, so keeping them in step with `Assessor.lsps` is what
lets the assessor sign in and see their LSPs' TUKs, schemes and (later) sessions.
"""

from django.db import transaction

from lsp.models import Role


@transaction.atomic
def sync_roles(assessor, *, previous_user_id: int | None = None) -> None:
    """Call after the assessor's LSPs or account changed (form, import, demo)."""
    served = set(assessor.lsps.values_list("pk", flat=True))
    if previous_user_id and previous_user_id != assessor.user_id:
        Role.objects.filter(
            user_id=previous_user_id, kind=Role.Kind.ASSESSOR, lsp_id__in=served
        ).delete()
    if not assessor.user_id:
        return
    roles = Role.objects.filter(user_id=assessor.user_id, kind=Role.Kind.ASSESSOR)
    for role in roles.exclude(lsp_id__in=served):
        role.delete()  # one by one, so the audit trail records each
    held = set(roles.values_list("lsp_id", flat=True))
    for lsp_id in sorted(served - held):
        Role.objects.create(user_id=assessor.user_id, kind=Role.Kind.ASSESSOR, lsp_id=lsp_id)
