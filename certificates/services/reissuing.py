"""Reissuing a certificate: by its LSP's admin, with a reason, when a name was corrected or the
paper was lost or damaged.

The reissue is a new certificate with a new number, the next of the LSP's sequence for the year
of the reissue (`issuing.next_sequence`: the old number is never given again), whose text is
copied afresh from the enrolment (`issuing.copy_enrolment`: the student's corrected name, the
scheme, the LSP). A reissue corrects the paper; it does not certify again: the new certificate
keeps the issue date and the validity of the one it replaces. The old certificate becomes
"replaced" and points to the new one (`replaced_by`), so its verification page sends the reader
on. Only a certificate in force can be reissued: a revoked one stays revoked, an expired one is
renewed by a new assessment, and a replaced one by reissuing the one that replaced it.

Both rows are audited (Certificate is an AuditedModel): the new one is created with the reason
and `reissued_by`, the old one changes to replaced with the new one's id.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.services.sessions import Refused

from ..models import Certificate
from .issuing import copy_enrolment, next_sequence

REPLACE_FIELDS = ["status", "replaced_by"]


def reissue_refusal(user, certificate: Certificate, on: datetime.date | None = None) -> str | None:
    """Why the user may not reissue this certificate now; None when they may."""
    if not Certificate.objects.editable_by(user).filter(pk=certificate.pk).exists():
        return _("Only the LSP admin reissues its certificates.")
    state = certificate.state_on(on or timezone.localdate())
    if state == Certificate.Status.REVOKED:
        return _("A revoked certificate cannot be reissued.")
    if state == Certificate.Status.REPLACED:
        return _("This certificate was already replaced: reissue the certificate that replaces it.")
    if state == "expired":
        return _("An expired certificate is not reissued: the asesi is assessed again.")
    return None


def reissue(
    user, certificate: Certificate, reason: str, *, on: datetime.date | None = None
) -> Certificate:
    """The new certificate replacing `certificate`; raises Refused with a message for the user.

    `on` is the day of the reissue (today by default): its year is the new number's year.
    """
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Write the reason for reissuing."))
    on = on or timezone.localdate()
    with transaction.atomic():
        # Locked: of two admins reissuing at once, the second finds it already replaced.
        old = (
            Certificate.objects.select_for_update()
            .select_related("enrolment__session__scheme", "enrolment__session__lsp")
            .select_related("enrolment__candidate")
            .get(pk=certificate.pk)
        )
        refusal = reissue_refusal(user, old, on)
        if refusal:
            raise Refused(refusal)
        # The old one steps aside first: one certificate in force per enrolment (a constraint).
        Certificate.objects.filter(pk=old.pk).update(status=Certificate.Status.REPLACED)
        sequence = next_sequence(old.lsp_id, on.year)
        new = copy_enrolment(
            old.enrolment, issued_on=old.issued_on, sequence=sequence, year=on.year
        )
        new.valid_until = old.valid_until
        new.reissued_by = user
        new.reissue_reason = reason
        new.save()
        old.status = Certificate.Status.REPLACED
        old.replaced_by = new
        old.save(update_fields=REPLACE_FIELDS)  # the trail: valid → replaced, by which
    certificate.status, certificate.replaced_by = old.status, new
    certificate._audit_loaded = old._audit_loaded
    return new
