"""Token authentication: `Authorization: Bearer <secret>`; the request acts as the token's user."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken, hash_secret

KEYWORD = b"bearer"
# `last_used` is written at most this often per token: not one UPDATE per request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as 'Authorization: Bearer <token>'."), code="malformed_token"
            )
        try:
            secret = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid."), code="invalid_token"
            ) from None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_secret(secret)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid."), code="invalid_token"
            )
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This token was revoked."), code="revoked_token"
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The token's account is disabled."), code="inactive_account"
            )
        now = timezone.now()
        if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
