"""Every API error is JSON: a machine-readable `code`, a translated `message` (Indonesian or
English), and for invalid data `fields`: {field: [{code, message}]}, naming each field."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("api")


class Refused(exceptions.APIException):
    """A rule of the service layer refuses the action (its message says why)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "refused"


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _details(details):
    """DRF's full details ({message, code} leaves) with the keys in our order: code, message."""
    if isinstance(details, dict) and set(details) == {"message", "code"}:
        return {"code": details["code"], "message": str(details["message"])}
    if isinstance(details, dict):
        return {key: _details(value) for key, value in details.items()}
    if isinstance(details, list):
        return [_details(value) for value in details]
    return details


def _flat(errors, prefix=""):
    """One field's errors as a list: a list's items (DRF keys them by index) and nested fields
    are named in the message, so `fields` is always {field: [{code, message}]}."""
    if isinstance(errors, list):
        return [
            {**error, "message": f"{prefix}{error['message']}"}
            for item in errors
            for error in _flat(item)
        ]
    if isinstance(errors, dict) and set(errors) != {"code", "message"}:
        flat = []
        for key, value in errors.items():
            label = _("Item %(number)s") % {"number": key + 1} if isinstance(key, int) else str(key)
            flat += _flat(value, f"{prefix}{label}: ")
        return flat
    return [{**errors, "message": f"{prefix}{errors['message']}"}]


def body(code: str, message: str, **extra) -> dict:
    return {"code": code, "message": message, **extra}


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:  # an unexpected error
        if settings.DEBUG:
            return None  # Django's debug page
        set_rollback()
        view = context.get("view")
        logger.exception("API error in %s", view.__class__.__name__ if view else "?", exc_info=exc)
        return Response(
            body("server_error", _("Something went wrong on the server; it has been logged.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        details = _details(exc.get_full_details())
        if isinstance(details, list):
            details = {"non_field_errors": details}
        details = {name: _flat(errors) for name, errors in details.items()}
        data = body("invalid", _("The data sent is not valid: see the fields."), fields=details)
    elif isinstance(exc, exceptions.Throttled):
        data = body(
            "throttled",
            _("Too many requests. Please wait %(seconds)s seconds.")
            % {"seconds": int(exc.wait or 1)},
            retry_after=int(exc.wait or 1),
        )
    elif isinstance(exc, exceptions.APIException):
        data = body(_code(exc), str(exc.detail))
    else:
        data = response.data
    response.data = data
    return response
