"""ORM classes only, one module per capability; importing this package registers every table."""
from .access import ApiToken
from .core import AuditEvent, Connection, Employee, Organisation, utcnow
from .life import (
    Completion,
    CompletionRule,
    Credential,
    Erasure,
    ExtensionProposal,
    PrivacySettings,
    Reflection,
    Reminder,
    Respondent,
    SessionLog,
    WriteReceipt,
)
from .programme import Exclusion, Pair, Participant, Profile, Programme

__all__ = ["ApiToken", "AuditEvent", "Completion", "CompletionRule", "Connection", "Credential", "Employee", "Erasure",
           "Exclusion", "ExtensionProposal", "Organisation", "Pair", "Participant", "PrivacySettings", "Profile",
           "Programme", "Reflection", "Reminder", "Respondent", "SessionLog", "WriteReceipt", "utcnow"]
