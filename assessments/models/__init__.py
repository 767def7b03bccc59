from .candidates import Candidate
from .schemes import Criterion, Element, Scheme, SchemeUnit, Unit

__all__ = ["Candidate", "Criterion", "Element", "Scheme", "SchemeUnit", "Unit"]
