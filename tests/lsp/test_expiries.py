"""LSP licences and TUK verifications expire too: their admins are told ahead, once per stage."""

import datetime

import pytest

from lsp.expiries import expiry_stage, expiry_stage_sql, notify_institution_expiries
from lsp.models import Lsp, Notification
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 6, 1)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [(91, None), (90, "90"), (61, "90"), (60, "60"), (31, "60"), (30, "30"), (0, "30"),
     (-1, "expired")],
)  # fmt: skip
def test_the_stage_rule_in_python_and_sql(lsp_a, days_left, stage):
    lsp_a.licence_valid_until = ON + DAY * days_left
    lsp_a.save()
    assert expiry_stage(lsp_a.licence_valid_until, ON) == stage
    annotated = Lsp.objects.annotate(s=expiry_stage_sql("licence_valid_until", ON)).get(pk=lsp_a.pk)
    assert annotated.s == stage


def test_admins_are_told_once_per_stage_and_a_renewal_starts_afresh(
    lsp_a, admin_a, admin_b, django_capture_on_commit_callbacks, mailoutbox
):
    lsp_a.licence_valid_until = ON + DAY * 20
    lsp_a.save()
    tuk = factories.TukFactory(lsp=lsp_a, verified_on=ON - DAY * 300, verified_until=ON - DAY)
    english = factories.lsp_admin(lsp_a, username="admin.en", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_institution_expiries(ON) == 4  # licence and TUK, two admins each
    mine = Notification.objects.filter(user=english)
    assert {n.title for n in mine} == {
        f"The LSP licence of {lsp_a.name} ends in 30 days",
        f"The verification of {tuk.name} has expired",
    }
    assert not Notification.objects.filter(user=admin_b).exists()
    assert len(mailoutbox) == 4
    assert {m.to[0] for m in mailoutbox} == {admin_a.email, english.email}
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_institution_expiries(ON + DAY) == 0  # same stage: nothing new
    assert len(mailoutbox) == 4
    lsp_a.licence_valid_until = ON + DAY * 900  # renewed
    lsp_a.save()
    tuk.verified_until = ON + DAY * 50  # re-verified, ends in 50 days: a new "60" notice
    tuk.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_institution_expiries(ON) == 2
    assert Notification.objects.filter(source__endswith=":60").count() == 2  # both admins
    assert Notification.objects.filter(user=english, title__contains="ends in 60 days").exists()
