"""BNSP's code lists, as reference tables: loaded by a data migration, editable by a superuser.

BNSP changes its codes from time to time; so they are data, never constants in code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeList(models.Model):
    code = models.CharField(_("BNSP code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=150)
    is_default = models.BooleanField(
        _("default for students"),
        default=False,
        help_text=_("Used for a student who has no value of their own."),
    )

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} · {self.name}"


class FundingSource(CodeList):
    """Who pays for a session: BANPER, the school's budget, the asesi, industry…"""

    is_banper = models.BooleanField(_("government aid (BANPER)"), default=False)

    class Meta(CodeList.Meta):
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")


class Education(CodeList):
    class Meta(CodeList.Meta):
        verbose_name = _("education level")
        verbose_name_plural = _("education levels")


class Occupation(CodeList):
    class Meta(CodeList.Meta):
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
