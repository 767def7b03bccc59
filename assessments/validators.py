from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# SKKNI unit codes: "J.620100.004.02" today, older shapes such as "G.46RIT00.001.1" live on.
# Loose on purpose: a letter, then two or three dot-separated groups of letters and digits.
unit_code_validator = RegexValidator(
    r"^[A-Z]\.[0-9A-Z]{2,12}(\.[0-9A-Z]{1,6}){1,3}$",
    _("A unit code looks like J.620100.004.02 (letter, dot, groups of digits and letters)."),
    code="invalid_unit_code",
)
nisn_validator = RegexValidator(r"^\d{10}$", _("NISN must be exactly 10 digits."), "invalid_nisn")
