"""Validators for the identifiers Indonesian schools and certification bodies use."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

npsn_validator = RegexValidator(
    r"^\d{8}$", _("NPSN must be exactly 8 digits."), code="invalid_npsn"
)
province_code_validator = RegexValidator(
    r"^\d{2}$", _("A province code has 2 digits."), code="invalid_code"
)
regency_code_validator = RegexValidator(
    r"^\d{4}$", _("A regency code has 4 digits."), code="invalid_code"
)
