"""ORM classes only, one module per capability; importing this package registers every table."""
from .access import ApiToken
from .admin import AdminLoginLink, ImpactSetting, Nudge
from .core import AuditEvent, Connection, Employee, Organisation, utcnow
from .programme import Exclusion, Pair, Participant, Profile, Programme

__all__ = ["AdminLoginLink", "ApiToken", "AuditEvent", "Connection", "Employee", "Exclusion", "ImpactSetting", "Nudge",
           "Organisation", "Pair", "Participant", "Profile", "Programme", "utcnow"]
