"""The BNSP assessor registration number (nomor registrasi MET)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Canonical: "MET.000.002341 2019". Also written "MET.000.002341.2019" or "met. 000. 002341 2019".
_LOOSE_MET = re.compile(r"^MET\s*\.\s*(\d{3})\s*\.\s*(\d{6})\s*[.\s]\s*(\d{4})$", re.IGNORECASE)
MET_EXAMPLE = "MET.000.002341 2019"

met_number_validator = RegexValidator(
    r"^MET\.\d{3}\.\d{6} (19|20)\d{2}$",
    _("A MET number looks like MET.000.002341 2019 (three digits, six digits, the year)."),
    code="invalid_met",
)


def normalise_met(text: str) -> str:
    """The one stored form of a MET number; raises ValidationError for anything else."""
    match = _LOOSE_MET.match(" ".join(str(text).split()))
    if not match:
        raise ValidationError(
            _("“%(value)s” is not a MET number: write it as %(example)s."),
            code="invalid_met",
            params={"value": text, "example": MET_EXAMPLE},
        )
    canonical = f"MET.{match[1]}.{match[2]} {match[3]}"
    met_number_validator(canonical)
    return canonical
