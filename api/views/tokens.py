"""The user's API tokens page: make one (its secret shown once), revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..forms import TokenForm
from ..models import ApiToken


@never_cache
@login_required
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = TokenForm(user=request.user)
        messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
    tokens = ApiToken.objects.for_user(request.user)
    return render(
        request,
        "api/token_list.html",
        {"form": form, "tokens": tokens, "secret": secret},
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.editable_by(request.user), pk=pk)
    token.revoke()
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_token_list")
