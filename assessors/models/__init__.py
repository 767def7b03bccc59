from .recognition import AssessorFlag, LogbookEntry, Outcome, Recognition
from .registry import (
    CERTIFICATE_YEARS,
    Assessor,
    AssessorCertificate,
    Status,
    TechnicalScope,
    default_valid_until,
    status_on,
    warning_days,
)

__all__ = [
    "CERTIFICATE_YEARS",
    "Assessor",
    "AssessorCertificate",
    "AssessorFlag",
    "LogbookEntry",
    "Outcome",
    "Recognition",
    "Status",
    "TechnicalScope",
    "default_valid_until",
    "status_on",
    "warning_days",
]
