"""ORM classes only, one module per capability; importing this package registers every table.

The LTI tables live beside their glue in plugin/lti and are imported here so Alembic sees them.
"""
from ..lti.models import (
    LtiDeployment,
    LtiDeploymentOrganisation,
    LtiRegistration,
    LtiRegistrationEvent,
    LtiUserLink,
    ToolKey,
)
from .access import AccessGrant, ApiToken
from .admin import AdminLoginLink, ImpactSetting, Nudge
from .core import ERASED_RECORD, AuditEvent, Connection, Employee, Organisation, utcnow
from .enrolment import PairEnrolment
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
)
from .messages import MessagePreference, OutboundMessage, PairInvitation
from .outbox import OutboxMessage
from .programme import (
    HELD_PAIR,
    RUNNING_PAIR,
    AgreementAcceptance,
    Exclusion,
    Pair,
    Participant,
    Profile,
    Programme,
)
from .receipt import Receipt
from .sync import SyncCursor, SyncRequest, SyncRun, WebhookDelivery, WebhookEndpoint

__all__ = ["ERASED_RECORD", "HELD_PAIR", "RUNNING_PAIR", "AccessGrant", "AdminLoginLink", "AgreementAcceptance",
           "ApiToken", "AuditEvent",
           "Completion",
           "CompletionRule", "Connection", "Credential", "Employee", "Erasure", "Exclusion", "ExtensionProposal",
           "ImpactSetting", "LtiDeployment", "LtiDeploymentOrganisation", "LtiRegistration",
           "LtiRegistrationEvent",
           "LtiUserLink", "MessagePreference", "Nudge", "Organisation", "OutboundMessage", "OutboxMessage", "Pair",
           "PairEnrolment", "PairInvitation",
           "Participant",
           "PrivacySettings", "Profile", "Programme", "Receipt", "Reflection", "Reminder", "Respondent", "SessionLog",
           "SyncCursor", "SyncRequest", "SyncRun", "ToolKey", "WebhookDelivery", "WebhookEndpoint",
           "utcnow"]
