from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..access import scope_of
from ..validators import province_code_validator, regency_code_validator


class ProvinceQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_of(user)
        if scope.superuser:
            return self
        from .institutions import Lsp

        return self.filter(
            Q(pk__in=scope.viewer_province_ids)
            | Q(pk__in=Lsp.objects.filter(pk__in=scope.staff_lsp_ids).values("province_id"))
        )

    def editable_by(self, user):
        return self if scope_of(user).superuser else self.none()


class Province(models.Model):
    """A province, keyed by its BPS code (Kalimantan Timur is 64)."""

    code = models.CharField(
        _("BPS code"), max_length=2, unique=True, validators=[province_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("province_detail", args=[self.pk])


class RegencyQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(province__in=Province.objects.for_user(user))

    def editable_by(self, user):
        return self if scope_of(user).superuser else self.none()


class Regency(models.Model):
    """A kabupaten or kota, keyed by its 4-digit BPS code (Samarinda is 6472)."""

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Regency (kabupaten)")
        KOTA = "kota", _("City (kota)")

    code = models.CharField(
        _("BPS code"), max_length=4, unique=True, validators=[regency_code_validator]
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="regencies", verbose_name=_("province")
    )

    objects = RegencyQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies and cities")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("regency_detail", args=[self.pk])
