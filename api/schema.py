"""OpenAPI: the token scheme, and the JSON error body documented on every operation."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_STATUSES = ("400", "401", "403", "404", "429")


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """An error: `code` for machines, `message` for people (in the request's language)."""

    code = serializers.CharField(help_text="e.g. invalid, not_authenticated, not_found, refused")
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=FieldErrorSerializer()),
        required=False,
        help_text="For `invalid`: the errors of each field, by field name.",
    )
    retry_after = serializers.IntegerField(required=False, help_text="For `throttled`: seconds.")


class KompetenAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ERROR_STATUSES:
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code))
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on the tokens page of your account.",
        }
