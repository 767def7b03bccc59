"""Revoking a certificate: by its LSP's admin, with a reason, once.

The certificate keeps its number (a number is never given again: the sequence only goes up) and
from the moment of the commit verifies as revoked. Certificate is an AuditedModel, so the save
writes the trail entry: who (the request's user, and `revoked_by`), when and why (the reason).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.services.sessions import Refused

from ..models import Certificate

REVOKE_FIELDS = ["status", "revoked_at", "revoked_by", "revoke_reason"]


def revoke_refusal(user, certificate: Certificate) -> str | None:
    """Why the user may not revoke this certificate now; None when they may."""
    if not Certificate.objects.editable_by(user).filter(pk=certificate.pk).exists():
        return _("Only the LSP admin revokes its certificates.")
    if certificate.status == Certificate.Status.REVOKED:
        return _("This certificate is already revoked.")
    if certificate.status == Certificate.Status.REPLACED:
        return _("This certificate was replaced: revoke the certificate that replaces it.")
    return None


def revoke(user, certificate: Certificate, reason: str) -> Certificate:
    """Mark the certificate revoked; raises Refused with a message for the user."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Write the reason for revoking."))
    with transaction.atomic():
        # Locked: of two admins revoking at once, the second finds it already revoked.
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        refusal = revoke_refusal(user, locked)
        if refusal:
            raise Refused(refusal)
        locked.status = Certificate.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = user
        locked.revoke_reason = reason
        locked.save(update_fields=REVOKE_FIELDS)
    for field in REVOKE_FIELDS:
        setattr(certificate, field, getattr(locked, field))
    certificate._audit_loaded = locked._audit_loaded
    return certificate
