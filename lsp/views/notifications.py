"""The bell: each user's own in-app notifications (see `lsp.models.Notification`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from ..models import Notification


class NotificationList(LoginRequiredMixin, ListView):
    """The user's notifications, newest first; the unread ones highlighted."""

    template_name = "lsp/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        return Notification.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["unread_count"] = self.get_queryset().unread().count()
        return ctx


@login_required
def notification_open(request, pk):
    """Mark one of the user's notifications read and follow its link."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notification_list")


@require_POST
@login_required
def notification_mark_all_read(request):
    count = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification_list")


@require_GET
@never_cache
def notification_badge(request):
    """The bell's unread count, loaded by the page (htmx) so that no page pays a query for it.
    Signed out (an expired session): nothing, rather than the login page inside the navbar.
    Rendered without the request, so the menu's context processor costs nothing here."""
    context = {"badge_only": True}
    if request.user.is_authenticated:
        context["bell_count"] = Notification.objects.for_user(request.user).unread().count()
    return HttpResponse(render_to_string("includes/notification_bell.html", context))
