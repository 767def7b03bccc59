from .audit import AuditedModel, AuditEntry
from .geo import Province, Regency
from .imports import ImportBatch
from .institutions import Concentration, Lsp, Programme, School, Tuk
from .users import Role, User

__all__ = [
    "AuditEntry",
    "AuditedModel",
    "Concentration",
    "ImportBatch",
    "Lsp",
    "Programme",
    "Province",
    "Regency",
    "Role",
    "School",
    "Tuk",
    "User",
]
