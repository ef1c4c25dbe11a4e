"""ORM classes only, one module per capability; importing this package registers every table."""
from .core import AuditEvent, Connection, Employee, Organisation, utcnow
from .enrolment import LmsReceipt, PairEnrolment
from .programme import Exclusion, Pair, Participant, Profile, Programme

__all__ = ["AuditEvent", "Connection", "Employee", "Exclusion", "LmsReceipt", "Organisation", "Pair",
           "PairEnrolment", "Participant", "Profile", "Programme", "utcnow"]
