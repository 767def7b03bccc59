"""Validators for the identifiers Indonesian schools and certification bodies use."""

import re

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
nik_validator = RegexValidator(r"^\d{16}$", _("NIK must be exactly 16 digits."), "invalid_nik")
phone_validator = RegexValidator(
    r"^\+62\d{8,13}$",
    _("Write the phone number as +62 followed by 8 to 13 digits, e.g. +6281234567890."),
    "invalid_phone",
)

_PHONE_JUNK = re.compile(r"[\s.\-()/]")


def normalise_phone(text: str) -> str:
    """'0812-3456-7890', '62812…', '+62 812 …' and Excel's '8123…' all become '+62812…'.

    Raises ValidationError when what is left is not an Indonesian number.
    """
    phone = _PHONE_JUNK.sub("", str(text).strip().lstrip("'’"))
    if phone.startswith("+62"):
        pass
    elif phone.startswith("62"):
        phone = "+" + phone
    elif phone.startswith("0"):
        phone = "+62" + phone[1:]
    elif phone.startswith("8"):  # a number cell: Excel dropped the 0 of "08…"
        phone = "+62" + phone
    phone_validator(phone)
    return phone
