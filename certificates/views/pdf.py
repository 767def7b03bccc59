"""The certificate's PDF, for those who may see it: the LSP's admins.

The stored file is served when there is one; otherwise the PDF is rendered, hashed and stored
then (`rendering.store_pdf`), so the next download is the same file. A revoked certificate is not
handed out any more (410), nor one replaced by a reissue (its replacement is printed instead).
Disdikbud viewers see certificates in lists, but the PDF prints the holder's birth date, which
they never get (students' personal data): they are refused (403), and not shown the link.
Other users get 404, whether or not the certificate exists. Each download is an export of a
student's data and is written to the audit trail.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseGone
from django.utils.translation import gettext as _

from lsp import pdf
from lsp.access import get_visible_or_404
from lsp.audit import write_entry
from lsp.models import AuditEntry

from .. import pdf as certificate_pdf
from ..models import Certificate
from ..services import rendering


@login_required
def certificate_pdf_view(request, pk):
    certificate = get_visible_or_404(rendering.batch_queryset(), request.user, pk=pk)
    if not Certificate.objects.editable_by(request.user).filter(pk=certificate.pk).exists():
        raise PermissionDenied(_("The certificate's PDF holds the student's personal data."))
    if certificate.status == Certificate.Status.REVOKED:
        return HttpResponseGone(_("This certificate has been revoked."))
    if certificate.status == Certificate.Status.REPLACED:
        return HttpResponseGone(_("This certificate was reissued: print the one that replaces it."))
    if certificate.pdf and certificate.sha256:
        with certificate.pdf.open("rb") as file:
            content = file.read()
    else:
        content, _digest = rendering.store_pdf(certificate)
    write_entry(
        action=AuditEntry.Action.EXPORT,
        instance=certificate,
        label=f"PDF {certificate.number}",
        changes={"document": "certificate"},
        actor=request.user,
        lsp_ids={certificate.lsp_id},
    )
    return pdf.bytes_response(content, filename=certificate_pdf.filename(certificate))
