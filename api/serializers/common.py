"""Small nested shapes shared by the resources."""

from rest_framework import serializers


class RefSerializer(serializers.Serializer):
    """Another resource named by id and name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, source="__str__")


class RegencySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    province_code = serializers.CharField(read_only=True, source="province.code")


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


def personal_allowed(serializer, obj) -> bool:
    """Personal data (NIK, NISN, birth date, address, phone, e-mail) only to those who may change
    the record, or to the person themselves: never to Disdikbud viewers. The views annotate
    `api_editable` from the model's `editable_by(user)`."""
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    if getattr(obj, "api_editable", False):
        return True
    return user is not None and getattr(obj, "user_id", None) == user.pk
