from .candidates import Candidate
from .schemes import Criterion, Element, Scheme, SchemeUnit, Unit
from .sessions import (
    Appeal,
    AssessmentSession,
    Enrolment,
    Evidence,
    Method,
    SelfAssessment,
    SessionAssessor,
    UnitVerdict,
    Verdict,
)

__all__ = [
    "Appeal",
    "AssessmentSession",
    "Candidate",
    "Criterion",
    "Element",
    "Enrolment",
    "Evidence",
    "Method",
    "Scheme",
    "SchemeUnit",
    "SelfAssessment",
    "SessionAssessor",
    "Unit",
    "UnitVerdict",
    "Verdict",
]
