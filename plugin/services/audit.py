"""The audit trail: who did what, never with secrets or free text."""

from __future__ import annotations

from ..models import AuditEvent
from .tenant import Tenant


def record(
    tenant: Tenant, actor: str, action: str, subject_type: str = "", subject_id: object = "", **detail
) -> AuditEvent:
    """Append one audit event for this organisation."""
    return tenant.add(
        AuditEvent(actor=actor, action=action, subject_type=subject_type, subject_id=str(subject_id), detail=detail)
    )
