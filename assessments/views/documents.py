"""The printable forms: per session (attendance list, FR.AK.05, berita acara) and per enrolment
(FR.APL.01, FR.APL.02, FR.AK.01, FR.AK.02, FR.AK.03), as inline PDFs.

Who may print what follows the pages: an LSP admin prints every form of their LSP's sessions; an
assessor prints the forms of the asesi assigned to them, and the session forms of the sessions
they are assigned to, limited to their own asesi. Disdikbud viewers, who see sessions but never
students' data, are refused (403 on a session they can see, 404 elsewhere). Every print is an
export of students' data and is written to the audit trail.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from lsp import pdf
from lsp.access import get_visible_or_404
from lsp.audit import write_entry
from lsp.models import AuditEntry

from .. import forms_pdf
from ..models import AssessmentSession, Enrolment, SessionAssessor

ASSESSOR_PARAM = "asesor"


def _session_scope(request, session: AssessmentSession):
    """The enrolments the user may print for this session, and the assessor it is limited to.

    An admin may ask for one assessor's part (`?asesor=<id>`); an assessor gets their own part.
    """
    user = request.user
    enrolments = Enrolment.objects.for_user(user).filter(session=session)
    if AssessmentSession.objects.editable_by(user).filter(pk=session.pk).exists():
        wanted = request.GET.get(ASSESSOR_PARAM, "")
        if not wanted:
            return enrolments, None
        if not wanted.isdigit():
            raise Http404
        assessor_id = int(wanted)
        if not SessionAssessor.objects.filter(session=session, assessor_id=assessor_id).exists():
            raise Http404
        return enrolments.filter(assessor_id=assessor_id), assessor_id
    own = (
        SessionAssessor.objects.filter(session=session, assessor__user=user)
        .values_list("assessor_id", flat=True)
        .first()
    )
    if own is None:  # a viewer: the session is theirs to see, its students are not
        raise PermissionDenied
    return enrolments.filter(assessor_id=own), own


def _audit(request, form, session, *, instance, count: int):
    write_entry(
        action=AuditEntry.Action.EXPORT,
        instance=instance,
        label=f"PDF {form.code or form.slug} {session.code} ({count} asesi)",
        changes={"document": form.slug, "asesi": count},
        actor=request.user,
        lsp_ids={session.lsp_id},
    )


@login_required
def session_document(request, pk, kind):
    form = forms_pdf.SESSION_FORMS.get(kind)
    if form is None:
        raise Http404
    session = get_visible_or_404(forms_pdf.session_queryset(), request.user, pk=pk)
    enrolments, assessor_id = _session_scope(request, session)
    context = forms_pdf.session_context(kind, session, enrolments, assessor_id=assessor_id)
    content = forms_pdf.render(form, context, request=request)
    _audit(request, form, session, instance=session, count=context["enrolment_count"])
    return pdf.bytes_response(content, filename=forms_pdf.filename(form, session))


@login_required
def enrolment_document(request, pk, kind):
    form = forms_pdf.ENROLMENT_FORMS.get(kind)
    if form is None:
        raise Http404
    enrolment = get_visible_or_404(forms_pdf.enrolment_queryset(), request.user, pk=pk)
    session = enrolment.session
    context = forms_pdf.enrolment_context(kind, enrolment)
    content = forms_pdf.render(form, context, request=request)
    _audit(request, form, session, instance=enrolment, count=1)
    return pdf.bytes_response(content, filename=forms_pdf.filename(form, session, enrolment))
