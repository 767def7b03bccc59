"""Telling people about new flags: in-app notifications in each recipient's language, e-mails
after the commit through a Celery task that is idempotent and survives a mail server that is down.
"""

import datetime
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from assessors.models import AssessorFlag, LogbookEntry
from assessors.services import notices
from assessors.services.checks import check_assessors
from assessors.tasks import check_assessors_daily, send_flag_emails
from lsp.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2025, 2, 10)
DAY = datetime.timedelta(days=1)


def certified(lsps, valid_until, *, logged=0, **kwargs):
    """An assessor serving `lsps` whose certificate runs to `valid_until`, with `logged`
    assessments in its logbook inside the window."""
    assessor = factories.AssessorFactory(lsps=lsps, **kwargs)
    issued = valid_until.replace(year=valid_until.year - 3)
    factories.AssessorCertificateFactory(
        assessor=assessor, issued_on=issued, valid_until=valid_until
    )
    LogbookEntry.objects.bulk_create(
        LogbookEntry(
            assessor=assessor,
            date=issued + datetime.timedelta(days=30 * (n + 1)),
            lsp_name="LSP P1 SMK Lain",
            scheme_name="Skema Okupasi Teknisi Jaringan",
            asesi_count=12,
        )
        for n in range(logged)
    )
    return assessor


@pytest.fixture
def lsp_c(db):
    return factories.LspFactory(name="LSP P1 Gamma")


@pytest.fixture
def people(lsp_a, lsp_b, lsp_c):
    """An assessor of LSPs A and C, 25 days from expiry with 2 of 6 assessments, with an account;
    an Indonesian admin of A, an English admin of C, and an admin of B (not served)."""
    own = factories.assessor(lsp_a, username="sri", language="en", email="sri@account.id")
    assessor = certified(
        [lsp_a, lsp_c],
        ON + 25 * DAY,  # 7 March 2025
        logged=2,
        full_name="Sri Wahyuni",
        email="sri.wahyuni@smkn1.sch.id",
        user=own,
    )
    return {
        "assessor": assessor,
        "own": own,
        "admin_id": factories.lsp_admin(lsp_a, username="admin.id", language="id"),
        "admin_en": factories.lsp_admin(lsp_c, username="admin.en", language="en"),
        "other": factories.lsp_admin(lsp_b, username="admin.b"),
    }


def raise_flags(on=ON, **kwargs):
    return check_assessors(on, **kwargs)


def by_user(source_flag):
    return {
        n.user.username: n
        for n in Notification.objects.filter(source=f"assessorflag:{source_flag.pk}")
    }


def expiry_flag(assessor):
    return assessor.flags.get(kind=AssessorFlag.Kind.EXPIRY)


# --- In-app notifications -------------------------------------------------------------------------
def test_one_notification_per_recipient_and_flag(people, lsp_a, django_capture_on_commit_callbacks):
    colleague = factories.assessor(lsp_a, username="colleague")  # not an admin
    gone = factories.lsp_admin(lsp_a, username="gone", is_active=False)
    with django_capture_on_commit_callbacks():
        result = raise_flags()
    assert sorted(result.raised) == ["expiry:30", "outcome:at_risk"]
    for flag in AssessorFlag.objects.all():
        notes = by_user(flag)
        # The assessor and the admins of both LSPs served; not the admin of another LSP.
        assert set(notes) == {"sri", "admin.id", "admin.en"}
        assert {n.url for n in notes.values()} == {
            reverse("assessor_detail", args=[people["assessor"].pk])
        }
        assert all(n.read_at is None for n in notes.values())
    assert not Notification.objects.filter(user__in=[people["other"], colleague, gone]).exists()


def test_each_recipient_reads_their_own_language(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        raise_flags()
    notes = by_user(expiry_flag(people["assessor"]))
    english, indonesian = notes["admin.en"], notes["admin.id"]
    assert english.title == "Assessor certificate of Sri Wahyuni expires on 7 March 2025"
    assert "valid until 7 March 2025: 25 days left" in english.body
    assert "4 more assessments are needed before 7 March 2025" in english.body
    assert "(2 of 6 done)" in english.body
    # Dates (and, once translated, the words) follow the recipient's language.
    assert "7 Maret 2025" in indonesian.title and "March" not in indonesian.title
    assert "7 Maret 2025" in indonesian.body
    assert notes["sri"].title == english.title  # the assessor's account is set to English


def test_a_rerun_creates_no_notification(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        raise_flags()
    count = Notification.objects.count()
    assert count == 6
    ids = list(AssessorFlag.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks():
        notices.notify_flags(ids)  # the same flags again: nothing new
        raise_flags()  # and the job again: no new flag, nobody told
    assert Notification.objects.count() == count
    assert (
        Notification.objects.values("user", "source")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        == 0
    )


def test_a_fixed_number_of_queries_for_any_number_of_flags(
    lsp_a, admin_a, django_assert_num_queries, django_capture_on_commit_callbacks
):
    def notify_all():
        ids = list(AssessorFlag.objects.filter(notified_at=None).values_list("pk", flat=True))
        Notification.objects.all().delete()
        # flags, served admins, their users, the insert
        with django_assert_num_queries(4), django_capture_on_commit_callbacks():
            notices.notify_flags(ids)

    certified([lsp_a], ON + 25 * DAY, user=factories.UserFactory())
    raise_flags(notify=False)
    notify_all()
    for n in range(10):
        certified([lsp_a], ON + (20 + n) * DAY, logged=n, user=factories.UserFactory())
    raise_flags(notify=False)
    notify_all()
    assert Notification.objects.count() == 2 * AssessorFlag.objects.count() == 44


@pytest.mark.parametrize(
    ("valid_until", "logged", "kind", "stage", "title", "says"),
    [
        (
            ON + 80 * DAY,
            6,
            "expiry",
            "90",
            "Assessor certificate of Sri Wahyuni expires on 1 May 2025",
            "Next step: register for RCC (recognition of current competency) before 1 May 2025:"
            " 6 of the 6 assessments required are done.",
        ),
        (
            ON + 80 * DAY,
            6,
            "outcome",
            "eligible",
            "Sri Wahyuni is eligible for RCC",
            "Next step: register for RCC (recognition of current competency) before 1 May 2025,",
        ),
        (
            ON + 25 * DAY,
            5,
            "outcome",
            "at_risk",
            "Sri Wahyuni: 1 assessment missing for RCC",
            "with 25 days left until the certificate expires on 7 March 2025.\n\nNext step: "
            "assess at least 1 more time before 7 March 2025;",
        ),
        (
            ON - 10 * DAY,
            3,
            "expiry",
            "expired",
            "Assessor certificate of Sri Wahyuni has expired",
            "expired on 31 January 2025: they may not be assigned to assessments held after that "
            "date.\n\nNext step: repeat the full assessor training and assessment",
        ),
        (
            ON - 10 * DAY,
            3,
            "outcome",
            "must_retrain",
            "Sri Wahyuni must retrain as an assessor",
            "can no longer be renewed by RCC (3 of 6 assessments done).\n\nNext step: repeat the "
            "full assessor training and assessment",
        ),
    ],
)
def test_what_each_flag_says(lsp_a, valid_until, logged, kind, stage, title, says):
    assessor = certified([lsp_a], valid_until, logged=logged, full_name="Sri Wahyuni")
    raise_flags(notify=False)
    flag = assessor.flags.get(kind=kind, stage=stage)
    with translation.override("en"):
        message = notices.describe(flag)
    assert message.title == title
    assert says in message.body


def test_an_expired_certificate_within_the_grace_period_may_still_go_to_rcc(lsp_a, settings):
    settings.RCC_GRACE_DAYS = 30
    assessor = certified([lsp_a], ON - 10 * DAY, logged=6, full_name="Sri Wahyuni")
    raise_flags(notify=False)
    with translation.override("en"):
        message = notices.describe(expiry_flag(assessor))
    assert "Next step: register for RCC before 2 March 2025." in message.body


# --- E-mails --------------------------------------------------------------------------------------
def test_emails_leave_after_the_commit_to_the_assessor_and_the_admins(
    people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://kompeten.kaltimprov.go.id"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        raise_flags()
    assert mailoutbox == []  # nothing before the commit
    assert len(callbacks) == 2  # one task per flag
    for callback in callbacks:
        callback()
    # Per flag: the assessor's own address (not the account's), the admins of A and C.
    assert len(mailoutbox) == 6
    everyone = ["sri.wahyuni@smkn1.sch.id", "admin.id@example.id", "admin.en@example.id"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(everyone * 2)
    assert "admin.b@example.id" not in str([m.to for m in mailoutbox])


def test_the_email_reads_in_the_recipients_language_with_an_absolute_link(
    people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://kompeten.kaltimprov.go.id"
    with django_capture_on_commit_callbacks(execute=True):
        raise_flags()
    flag = expiry_flag(people["assessor"])
    mails = {m.to[0]: m for m in mailoutbox if "7 March" in m.subject or "7 Maret" in m.subject}
    link = f"https://kompeten.kaltimprov.go.id/asesor/{people['assessor'].pk}/"
    english = mails["admin.en@example.id"]
    assert (
        english.subject == "Kompeten: Assessor certificate of Sri Wahyuni expires on 7 March 2025"
    )
    assert english.body.startswith(f"Dear {people['admin_en'].get_full_name()},")
    assert "4 more assessments are needed before 7 March 2025" in english.body
    assert link in english.body
    assert "7 Maret 2025" in mails["admin.id@example.id"].subject
    assert link in mails["admin.id@example.id"].body
    assert "7 March 2025" in mails["sri.wahyuni@smkn1.sch.id"].subject  # her account: English
    flag.refresh_from_db()
    assert flag.notified_at is not None


def test_an_assessor_without_an_account_gets_the_email_in_indonesian(
    lsp_a, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    certified([lsp_a], ON + 25 * DAY, logged=2, email="budi@smkn2.sch.id", full_name="Budi")
    with django_capture_on_commit_callbacks(execute=True):
        raise_flags()
    own = [m for m in mailoutbox if m.to == ["budi@smkn2.sch.id"]]
    assert len(own) == 2
    assert any("7 Maret 2025" in m.subject for m in own)
    assert not any("March" in m.subject for m in own)
    # No account, so no in-app notification for him: only the admin's.
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"admin.a"}


def test_the_task_is_idempotent(people, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        raise_flags()
    flag = expiry_flag(people["assessor"])
    assert send_flag_emails.apply(args=[flag.pk]).get() == 3
    flag.refresh_from_db()
    sent_at = flag.notified_at
    assert sent_at is not None
    assert send_flag_emails.apply(args=[flag.pk]).get() == 0
    assert len(mailoutbox) == 3
    flag.refresh_from_db()
    assert flag.notified_at == sent_at
    assert send_flag_emails.apply(args=[10**9]).get() == 0  # a flag that is gone


class DownBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class UnreachableBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.mark.parametrize("backend", [DownBackend, UnreachableBackend])
def test_a_mail_server_that_is_down_is_retried_and_nothing_is_lost(
    people, mailoutbox, django_capture_on_commit_callbacks, settings, backend
):
    with django_capture_on_commit_callbacks():
        raise_flags()
    flag = expiry_flag(people["assessor"])
    settings.EMAIL_BACKEND = f"{__name__}.{backend.__name__}"
    with pytest.raises(Retry) as retry:
        send_flag_emails.apply(args=[flag.pk])
    assert isinstance(retry.value.exc, OSError)  # retried later (a back-off), not failed
    assert 0 <= retry.value.when <= send_flag_emails.retry_backoff
    flag.refresh_from_db()
    assert flag.notified_at is None and mailoutbox == []
    # The server is back: the next attempt sends everything, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_flag_emails.apply(args=[flag.pk], retries=1).get() == 3
    flag.refresh_from_db()
    assert flag.notified_at is not None
    assert len(mail.outbox) == 3


def test_the_task_retries_with_back_off_up_to_a_limit():
    assert send_flag_emails.max_retries == 8
    assert send_flag_emails.retry_backoff and send_flag_emails.retry_backoff_max >= 600
    retried = tuple(send_flag_emails.autoretry_for)
    for error in (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError):
        assert issubclass(error, retried)


def test_the_daily_task_queues_again_what_never_went_out(
    people, mailoutbox, django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):  # the sending fails: logged
        raise_flags()
    assert AssessorFlag.objects.filter(notified_at=None).count() == 2
    # A day later the mail server is back and the daily task sends what was left.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    AssessorFlag.objects.update(created_at=timezone.now() - 2 * DAY)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: ON)
    summary = check_assessors_daily.apply().get()
    assert summary == {
        "date": "2025-02-10",
        "scanned": 1,
        "raised": 0,
        "by_reason": {},
        "emails_requeued": 2,
        "institution_notices": 0,
    }
    assert len(mailoutbox) == 6
    assert not AssessorFlag.objects.filter(notified_at=None).exists()


def test_the_daily_task_survives_a_mail_server_still_down(
    people, mailoutbox, django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        raise_flags()
    AssessorFlag.objects.update(created_at=timezone.now() - 2 * DAY)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: ON)
    assert check_assessors_daily.apply().get()["emails_requeued"] == 0  # run eagerly: not sent
    assert AssessorFlag.objects.filter(notified_at=None).count() == 2
    assert mailoutbox == []


def test_the_daily_task_runs_the_check_for_today(
    people, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: ON)
    with django_capture_on_commit_callbacks(execute=True):
        summary = check_assessors_daily.apply().get()
    assert summary["date"] == "2025-02-10"
    assert summary["raised"] == 2
    assert summary["by_reason"] == {"expiry:30": 1, "outcome:at_risk": 1}
    assert len(mailoutbox) == 6
    assert check_assessors_daily.name == "assessors.tasks.check_assessors_daily"
