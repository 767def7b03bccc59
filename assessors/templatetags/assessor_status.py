import datetime

from django import template
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Status

register = template.Library()

BADGES = {
    Status.ACTIVE: "text-bg-success",
    Status.EXPIRING: "text-bg-warning",
    Status.EXPIRED: "text-bg-danger",
    Status.WITHOUT: "text-bg-secondary",
}


def status_line(status: str, valid_until: datetime.date | None, on: datetime.date) -> str:
    """'Active until 13 December 2025', 'Expired since …': the words for a status on a date."""
    if status == Status.WITHOUT or valid_until is None:
        return _("No assessor certificate on record")
    date = formats.date_format(valid_until)
    if status == Status.EXPIRED:
        since = formats.date_format(valid_until + datetime.timedelta(days=1))
        return _("Expired since %(date)s") % {"date": since}
    if status == Status.EXPIRING:
        days = (valid_until - on).days
        return ngettext(
            "Active until %(date)s (%(days)s day left)",
            "Active until %(date)s (%(days)s days left)",
            days,
        ) % {"date": date, "days": days}
    return _("Active until %(date)s") % {"date": date}


@register.inclusion_tag("assessors/_status.html")
def assessor_status(assessor, on, line=True):
    """The badge (and line) of an assessor; reads `with_status(on)`'s annotation when present."""
    if getattr(assessor, "status_date", None) == on:
        status, valid_until = assessor.status, assessor.current_valid_until
    else:
        status, current = assessor.status_on(on), assessor.current_certificate
        valid_until = current.valid_until if current else None
    return {
        "status": status,
        "label": Status(status).label,
        "badge": BADGES[status],
        "line": status_line(status, valid_until, on) if line else "",
    }
