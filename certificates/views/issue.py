"""Bulk issuance: the session's button, the job's progress page (htmx polling), the downloads.

Access: the session panel is for whoever sees the session (its figures only; the button for its
LSP's admins). A job's pages and downloads are for the admins of the session's LSP: a job of a
session the user cannot see is not found (404); a Disdikbud viewer or an assessor who sees the
session is refused (403). Issuing goes through `editable_by` the same way.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.models import AssessmentSession
from assessments.services.sessions import Refused
from lsp.access import get_editable_or_deny, get_visible_or_404, scope_of

from ..models import Certificate, IssueJob
from ..services import jobs
from ..services.issuing import ISSUABLE, competent_enrolments


def _is_admin(user, session) -> bool:
    scope = scope_of(user)
    return scope.superuser or session.lsp_id in scope.admin_lsp_ids


def _job(request, pk) -> IssueJob:
    """The job, for the admins of its session's LSP: 404 outside the user's sessions, else 403."""
    job = get_object_or_404(
        IssueJob.objects.select_related("session__scheme", "session__lsp"),
        pk=pk,
        session__in=AssessmentSession.objects.for_user(request.user).values("pk"),
    )
    if not _is_admin(request.user, job.session):
        raise PermissionDenied
    return job


# --- The session page's panel ---------------------------------------------------------------------
@login_required
def session_certificates(request, pk):
    """Certificates issued / competent asesi, the issue button and the latest job's progress."""
    session = get_visible_or_404(
        AssessmentSession.objects.select_related("scheme", "lsp"), request.user, pk=pk
    )
    issuable = session.status in ISSUABLE
    counts = Certificate.objects.filter(session=session).aggregate(
        issued=Count("candidate", distinct=True),
        valid=Count("pk", filter=Q(status=Certificate.Status.VALID)),
        without_pdf=Count("pk", filter=Q(status=Certificate.Status.VALID, pdf="")),
    )
    waiting = len(competent_enrolments(session)) if issuable else 0
    can_issue = issuable and _is_admin(request.user, session)
    job = jobs.latest_job(session) if can_issue else None
    context = {
        "session": session,
        "counts": counts,
        "waiting": waiting,
        "competent": counts["issued"] + waiting,
        "can_issue": can_issue,
        "job": job,
        "job_active": job is not None and job.status in jobs.ACTIVE,
    }
    if request.htmx:
        return render(request, "certificates/issue_panel.html", context)
    return render(
        request,
        "assessments/decision_fragment_page.html",
        {**context, "fragment": "certificates/issue_panel.html", "title": _("Certificates")},
    )


@login_required
@require_POST
def session_issue(request, pk):
    """Issue the session's certificates (numbers now) and queue the missing PDFs."""
    session = get_editable_or_deny(
        AssessmentSession.objects.select_related("scheme", "lsp"), request.user, pk=pk
    )
    try:
        job = jobs.start_issue(request.user, session)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(session.get_absolute_url())
    return redirect("issue_job", job.pk)


# --- The job --------------------------------------------------------------------------------------
def _progress_context(job: IssueJob) -> dict:
    finished = job.status in jobs.FINISHED
    context = {
        "job": job,
        "session": job.session,
        "finished": finished,
        # Counts may pass the total when a chunk was delivered twice: the bar stops at 100 %.
        "percent": min(job.percent, 100),
        "done": min(job.done, job.total),
    }
    if finished:
        context["rendered"] = jobs.rendered(job.session).count()
        context["missing"] = jobs.missing(job.session).count()
    return context


@login_required
def issue_job(request, pk):
    """The progress page: it reads the job record, so it survives a reload."""
    job = _job(request, pk)
    return render(request, "certificates/issue_job.html", _progress_context(job))


@login_required
def issue_job_progress(request, pk):
    """The fragment htmx polls every second; once the job is finished it no longer asks again."""
    job = _job(request, pk)
    return render(request, "certificates/issue_progress.html", _progress_context(job))


def _finished_or_404(job: IssueJob):
    if job.status not in jobs.FINISHED:
        raise Http404(_("The certificates are still being rendered."))
    certificates = jobs.rendered(job.session)
    if not certificates.exists():
        raise Http404(_("No certificate of this session has a PDF yet."))
    return certificates


@login_required
def issue_job_zip(request, pk):
    """A ZIP of the session's PDFs, one file per certificate named by its number, streamed."""
    job = _job(request, pk)
    certificates = _finished_or_404(job)
    response = StreamingHttpResponse(
        jobs.zip_stream(certificates.iterator(chunk_size=200)), content_type="application/zip"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"sertifikat-{job.session.code}.zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def issue_job_merged(request, pk):
    """One PDF of all the session's certificates (front and back each), for printing."""
    job = _job(request, pk)
    certificates = _finished_or_404(job)
    response = FileResponse(
        jobs.merged_pdf(certificates.iterator(chunk_size=200)),
        as_attachment=True,
        filename=f"sertifikat-{job.session.code}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
