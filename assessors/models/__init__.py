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
from .standing import Standing

__all__ = [
    "CERTIFICATE_YEARS",
    "Assessor",
    "AssessorCertificate",
    "AssessorFlag",
    "LogbookEntry",
    "Outcome",
    "Recognition",
    "Status",
    "Standing",
    "TechnicalScope",
    "default_valid_until",
    "status_on",
    "warning_days",
]
