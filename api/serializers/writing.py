"""Creating and changing through the API runs the page's own form.

A `PageFormSerializer` names a page form (`form_class`). Its fields are derived from the form's
(type, length, choices, whether required), and `validate` binds the form to the data with the
token's user: the choices the user may pick, uniqueness, cross-field checks and the model's
constraints are the form's, written once. The form's errors come back by field name (400), and
`save` is the form's `save`, so what a page save does (joining a school to the LSP's network,
ordering a scheme's units, the audit trail) an API save does too.

Omitted fields keep their current values (a new object: the values the page's empty form
starts with, e.g. the LSP of an admin of exactly one LSP). A field the form does not let the
user change (disabled, or absent) is refused when a different value is sent.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

MAX_ID = 2**63 - 1  # the database's range: a larger id is refused before it reaches a query


def _id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def api_field(field: forms.Field, *, required: bool, slug: str | None) -> serializers.Field:
    """The API's shape of one form field; the form still does the validating."""
    optional = not field.required
    if isinstance(field, forms.ModelMultipleChoiceField):
        child = serializers.CharField(max_length=100) if slug else _id_field()
        return serializers.ListField(child=child, required=required)  # empty: the form says
    if isinstance(field, forms.ModelChoiceField):
        if slug:
            return serializers.CharField(
                max_length=100, required=required, allow_null=optional, allow_blank=optional
            )
        return _id_field(required=required, allow_null=optional)
    if isinstance(field, forms.ChoiceField):
        choices = [(value, label) for value, label in field.choices if value not in ("", None)]
        return serializers.ChoiceField(
            choices=choices, required=required, allow_null=optional, allow_blank=optional
        )
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=required)
    if isinstance(field, forms.DateField):
        return serializers.DateField(required=required, allow_null=optional)
    if isinstance(field, forms.IntegerField):
        low, high = field.min_value, field.max_value
        return serializers.IntegerField(
            required=required,
            allow_null=optional,
            min_value=-MAX_ID if low is None else low,
            max_value=MAX_ID if high is None else high,
        )
    kind = serializers.EmailField if isinstance(field, forms.EmailField) else serializers.CharField
    return kind(required=required, allow_blank=optional, max_length=field.max_length)


def form_errors(form, renamed: dict[str, str]) -> dict[str, list[ErrorDetail]]:
    """The form's errors as DRF details with their codes, by the API's field names."""
    errors: dict[str, list[ErrorDetail]] = {}
    for name, items in form.errors.as_data().items():
        key = renamed.get(name, name)
        if key == NON_FIELD_ERRORS:
            key = api_settings.NON_FIELD_ERRORS_KEY
        for error in items:
            for single in error.error_list:
                message = single.message % single.params if single.params else single.message
                errors.setdefault(key, []).append(
                    ErrorDetail(str(message), code=single.code or "invalid")
                )
    return errors


class PageFormSerializer(serializers.Serializer):
    form_class: type[forms.ModelForm]
    # Form fields the API does not take (files, fields it derives itself).
    excluded: tuple[str, ...] = ()
    # Relations named in the API by another unique field than the id: {field: to_field_name}.
    slugs: dict[str, str] = {}
    # Required on the form, but the empty form may already hold a value (the user's one LSP).
    defaulted: tuple[str, ...] = ()
    # The form's error keys that stand for an API field of another name.
    renamed_errors: dict[str, str] = {}
    help_texts: dict[str, str] = {}

    def get_fields(self):
        fields = {}
        for name, field in self.form_class.base_fields.items():
            if name in self.excluded or isinstance(field, forms.FileField):
                continue
            required = field.required and field.initial is None and name not in self.defaulted
            fields[name] = api_field(field, required=required, slug=self.slugs.get(name))
            if name in self.help_texts:
                fields[name].help_text = self.help_texts[name]
        fields.update(super().get_fields())  # declared fields win
        return fields

    # --- the form ---------------------------------------------------------------------------
    def make_form(self, data=None, instance=None):
        kwargs = {"user": self.context["request"].user, "instance": instance or self.instance}
        if data is not None:
            kwargs |= {"data": data, "files": {}}
        form = self.form_class(**kwargs)
        for name, to_field in self.slugs.items():
            if name in form.fields:
                form.fields[name].to_field_name = to_field
        return form

    def current_values(self, form) -> dict:
        """What the empty form shows: the saved values, or a new object's starting values."""
        values = {}
        for name, field in form.fields.items():
            if isinstance(field, forms.FileField):
                continue  # files keep their value unless a file is sent
            values[name] = self._as_data(field, form.get_initial_for_field(field, name))
        return values

    @staticmethod
    def _as_data(field, value):
        if isinstance(field, forms.ModelMultipleChoiceField):
            # As the page: choices the user cannot pick are not sent (the form keeps them).
            chosen = [field.prepare_value(item) for item in value or []]
            if not chosen:
                return []
            key = field.to_field_name or "pk"
            allowed = set(
                field.queryset.filter(**{f"{key}__in": chosen}).values_list(key, flat=True)
            )
            return [item for item in chosen if item in allowed]
        if isinstance(field, forms.ModelChoiceField):
            if value is None or value == "":
                return None
            if hasattr(value, "_meta") or not field.to_field_name:
                return field.prepare_value(value)
            # model_to_dict gives a foreign key's id; the API names it by its slug.
            manager = field.queryset.model._base_manager
            return manager.filter(pk=value).values_list(field.to_field_name, flat=True).first()
        return value

    def form_data(self, attrs: dict, form) -> dict:
        """The API's values as the form's data (a hook for fields the API shapes differently)."""
        return dict(attrs)

    def validate(self, attrs):
        empty = self.make_form()
        current = self.current_values(empty)
        refused = {
            name: [ErrorDetail(str(_("This field cannot be set or changed here.")), "read_only")]
            for name, value in attrs.items()
            if (name not in empty.fields or empty.fields[name].disabled)
            and value != current.get(name)
        }
        if refused:
            raise serializers.ValidationError(refused)
        form = self.make_form({**current, **self.form_data(attrs, empty)})
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form, self.renamed_errors))
        self.form = form
        return attrs

    def create(self, validated_data):
        return self.form.save()

    def update(self, instance, validated_data):
        return self.form.save()

    def to_representation(self, instance):
        """The values as the API takes them: the browsable API's forms. (The views answer a write
        with the resource as read.)"""
        if not hasattr(instance, "_meta"):  # data, not an object
            return {name: instance[name] for name in self.fields if name in instance}
        current = self.current_values(self.make_form(instance=instance))
        return {name: current[name] for name in self.fields if name in current}
