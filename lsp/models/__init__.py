from .audit import AuditedModel, AuditEntry
from .funding import FundingProgramme, FundingQuota
from .geo import Province, Regency
from .imports import ImportBatch
from .institutions import Concentration, ConflictRule, Lsp, Programme, School, Tuk
from .notifications import Notification
from .reference import Education, FundingSource, Occupation
from .users import Role, User

__all__ = [
    "AuditEntry",
    "AuditedModel",
    "Concentration",
    "ConflictRule",
    "Education",
    "FundingProgramme",
    "FundingQuota",
    "FundingSource",
    "ImportBatch",
    "Lsp",
    "Notification",
    "Occupation",
    "Programme",
    "Province",
    "Regency",
    "Role",
    "School",
    "Tuk",
    "User",
]
