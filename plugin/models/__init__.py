"""ORM classes only, one module per capability; importing this package registers every table."""
from .access import ApiToken
from .core import AuditEvent, Connection, Employee, Organisation, utcnow
from .programme import Exclusion, Pair, Participant, Profile, Programme
from .sync import SyncCursor, SyncRun, WebhookDelivery, WebhookEndpoint

__all__ = ["ApiToken", "AuditEvent", "Connection", "Employee", "Exclusion", "Organisation", "Pair", "Participant",
           "Profile", "Programme", "SyncCursor", "SyncRun", "WebhookDelivery", "WebhookEndpoint", "utcnow"]
