from django import template

register = template.Library()


@register.filter
def verbose_name(obj):
    """The model's verbose name, for a model instance or class."""
    return obj._meta.verbose_name


@register.simple_tag
def verbose_field(obj, field_name):
    return obj._meta.get_field(field_name).verbose_name
