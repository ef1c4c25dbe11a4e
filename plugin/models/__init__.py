"""ORM classes only, one module per capability; importing this package registers every table."""

from .access import AccessGrant, ApiToken
from .admin import AdminLoginLink, ImpactSetting, Nudge
from .completion import Completion, CompletionRule
from .core import ERASED_RECORD, AuditEvent, Connection, Employee, Organisation, utcnow
from .credentials import Credential
from .enrolment import PairEnrolment
from .extensions import ExtensionProposal
from .lti import (
    CourseRoster,
    LtiDeployment,
    LtiDeploymentOrganisation,
    LtiRegistration,
    LtiRegistrationEvent,
    LtiUserLink,
    ToolKey,
)
from .messages import ChatWebhook, MessagePreference, OutboundMessage, PairInvitation
from .outbox import OutboxMessage
from .pair_plans import PairPlan, PreRead
from .preparation import PreparationActivity, PreparationReading
from .privacy import Erasure, PrivacySettings
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
from .reflections import Reflection, Respondent
from .reminders import Reminder
from .sessions import SessionLog
from .stamps import ChangeStamp
from .sync import SyncCursor, SyncRequest, SyncRun, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ChatWebhook",
    "ChangeStamp",
    "ERASED_RECORD",
    "HELD_PAIR",
    "RUNNING_PAIR",
    "AccessGrant",
    "AdminLoginLink",
    "AgreementAcceptance",
    "ApiToken",
    "AuditEvent",
    "Completion",
    "CourseRoster",
    "CompletionRule",
    "Connection",
    "Credential",
    "Employee",
    "Erasure",
    "Exclusion",
    "ExtensionProposal",
    "ImpactSetting",
    "LtiDeployment",
    "LtiDeploymentOrganisation",
    "LtiRegistration",
    "LtiRegistrationEvent",
    "LtiUserLink",
    "MessagePreference",
    "Nudge",
    "Organisation",
    "OutboundMessage",
    "OutboxMessage",
    "Pair",
    "PairPlan",
    "PairEnrolment",
    "PairInvitation",
    "Participant",
    "PreRead",
    "PreparationActivity",
    "PreparationReading",
    "PrivacySettings",
    "Profile",
    "Programme",
    "Receipt",
    "Reflection",
    "Reminder",
    "Respondent",
    "SessionLog",
    "SyncCursor",
    "SyncRequest",
    "SyncRun",
    "ToolKey",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]
