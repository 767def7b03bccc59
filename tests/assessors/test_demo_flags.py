"""The demo shows the daily check at work: run on the demo's day, it raises a flag of every kind,
tells the demo LSPs' admins (the bell) and the assessors (e-mail), and a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessors.models import AssessorFlag
from assessors.services.checks import check_assessors
from lsp.models import Notification, User

pytestmark = pytest.mark.django_db

EVERY_KIND = {
    ("expiry", "90"),
    ("expiry", "60"),
    ("expiry", "30"),
    ("expiry", "expired"),
    ("outcome", "eligible"),
    ("outcome", "at_risk"),
    ("outcome", "must_retrain"),
}
DEMO_ADMINS = ("admin.lsp1", "admin.lsp2", "admin.lsp3")


@pytest.fixture(autouse=True)
def _rules(settings):
    """The rules the demo's certificate dates and logbooks are chosen for (the defaults)."""
    settings.EXPIRY_WARNING_DAYS = 90
    settings.EXPIRY_FLAG_DAYS = [90, 60, 30]
    settings.RCC_THRESHOLD = 6
    settings.RCC_AT_RISK_DAYS = 180
    settings.RCC_GRACE_DAYS = 0


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    return timezone.localdate()


def test_the_check_raises_a_flag_of_every_kind_on_the_demo(demo):
    result = check_assessors(demo, notify=False)
    raised = set(AssessorFlag.objects.values_list("kind", "stage"))
    assert raised == EVERY_KIND, f"the demo lacks {sorted(EVERY_KIND - raised)}"
    assert result.total == AssessorFlag.objects.count()
    assert result.raised.keys() == {f"{kind}:{stage}" for kind, stage in EVERY_KIND}
    # Each flag belongs to the assessor's current certificate, once.
    for flag in AssessorFlag.objects.select_related("assessor", "certificate"):
        assert flag.certificate == flag.assessor.current_certificate
    assert check_assessors(demo, notify=False).total == 0


def test_the_demo_admins_see_their_assessors_flags_and_the_emails_go_once(
    demo, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = check_assessors(demo)
    assert result.total > 0
    for username in DEMO_ADMINS:
        admin = User.objects.get(username=username)
        unread = Notification.objects.for_user(admin).unread()
        served = AssessorFlag.objects.filter(assessor__lsps__roles__user=admin).distinct()
        assert unread.count() == served.count() > 0, username
    assert not AssessorFlag.objects.filter(notified_at=None).exists()
    sent = [(m.to[0], m.subject) for m in mailoutbox]
    assert sent and len(set(sent)) == len(sent)
    # The next morning: nothing new, nobody told again.
    notifications = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert check_assessors(demo).total == 0
    assert Notification.objects.count() == notifications and len(mailoutbox) == len(sent)
