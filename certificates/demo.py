"""Demo certificates: every competent asesi of the demo's decided and reported sessions has one.

Runs after assessments/demo.py. Each LSP's demo admin issues them, dated the day the asesi's K was
decided (the session's decision; a re-assessment after an appeal, its own later decision), in that
order, so the numbers follow the dates. Issuing is idempotent (`issue_session`'s own rule: one
certificate per enrolment, none for BK), so a second run creates nothing. All are valid; none is
revoked. The PDFs are not rendered here (about 150 of them would slow seed_demo down by several
seconds): they are rendered on demand, or by "Issue certificates" on the session page, which
renders only what is missing.

`delete_demo` runs before assessments' (the command deletes in reverse order): the certificates of
the demo sessions go (they protect their enrolments and sessions), their stored PDFs after the
commit, and the demo LSPs' number sequences once no certificate of the LSP is left.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from assessments.demo_sessions import demo_sessions
from assessments.models import AssessmentSession
from lsp.demo import ACCOUNTS, LSPS, DemoSummary
from lsp.models import Role, User

from .models import Certificate, CertificateSequence
from .services.issuing import ISSUABLE, competent_enrolments, issue_one, issue_refusal


def build_demo(*, today: datetime.date) -> DemoSummary:
    """Issue the missing certificates of the demo's decided sessions (without their PDFs)."""
    summary = DemoSummary(totals={})
    with transaction.atomic():
        summary.created += seed_certificates()
    summary.totals["certificates"] = Certificate.objects.filter(session__in=demo_sessions()).count()
    return summary


def _admins() -> dict[str, User]:
    """Each demo LSP's name: its demo admin's account."""
    usernames = {a.username: a.lsp for a in ACCOUNTS if a.kind == Role.Kind.LSP_ADMIN}
    return {usernames[u.username]: u for u in User.objects.filter(username__in=list(usernames))}


def _decided_on(enrolment, session: AssessmentSession) -> datetime.date:
    moment = enrolment.decided_at or session.decided_at or timezone.now()
    return timezone.localdate(moment)


def seed_certificates() -> int:
    """Issue, LSP by LSP in date order, what `issue_session` would; returns how many were new."""
    admins = _admins()
    sessions = demo_sessions().filter(status__in=ISSUABLE).select_related("lsp", "scheme")
    planned = []
    for session in sessions:
        admin = admins.get(session.lsp.name)
        if admin is None or issue_refusal(admin, session):
            continue
        for enrolment in competent_enrolments(session):
            on = _decided_on(enrolment, session)
            planned.append((on, session.decided_at, enrolment.candidate.full_name, enrolment))
    planned.sort(key=lambda row: row[:3])
    for on, _decided, _name, enrolment in planned:
        issue_one(enrolment, issued_on=on)
    return len(planned)


def delete_demo() -> int:
    """Delete the demo sessions' certificates (and their PDFs), then the unused sequences."""
    certificates = Certificate.objects.filter(session__in=demo_sessions())
    files = list(certificates.exclude(pdf="").values_list("pdf", flat=True))
    certificates.exclude(replaced_by=None).update(replaced_by=None)  # a replacement protects
    deleted = certificates.delete()[0]
    storage = Certificate._meta.get_field("pdf").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in files])
    lsp_names = [lsp.name for lsp in LSPS]
    unused = CertificateSequence.objects.filter(lsp__name__in=lsp_names).exclude(
        lsp__certificates__isnull=False
    )
    return deleted + unused.delete()[0]
