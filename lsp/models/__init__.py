from .audit import AuditedModel, AuditEntry
from .geo import Province, Regency
from .institutions import Concentration, Lsp, Programme, School, Tuk
from .users import Role, User

__all__ = [
    "AuditEntry",
    "AuditedModel",
    "Concentration",
    "Lsp",
    "Programme",
    "Province",
    "Regency",
    "Role",
    "School",
    "Tuk",
    "User",
]
