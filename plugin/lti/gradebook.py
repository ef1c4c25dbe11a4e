"""The programme's LMS gradebook over LTI AGS: one line item per programme, one score per partner.

Addressed by our employee ids: the LMS account is the confirmed LTI user link of the programme's
registration. `find` reads the line item's results, so a score posted just before a crash is seen.
"""

from __future__ import annotations

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.lineitem import LineItem

from ..errors import FatalError
from ..models import CompletionRule, Programme
from ..models.lti import LtiUserLink
from ..services import writeback
from ..services.tenant import Tenant
from . import ags
from .registrations import AGS_SCOPES
from .service_connector import connector_for


class LtiGradebook:
    """A course gradebook reached through the registration that launched the programme's learners."""

    def __init__(self, tenant: Tenant, rule: CompletionRule):
        self.tenant, self.rule = tenant, rule
        self._lineitem: str | None = None

    def account(self, employee_id: int) -> str | None:
        """The person's LMS user id on this registration, if their link is confirmed."""
        links = self.tenant.all(
            LtiUserLink,
            LtiUserLink.employee_id == employee_id,
            LtiUserLink.registration_id == self.rule.registration_id,
            LtiUserLink.confirmed.is_(True),
        )
        return links[0].lms_user_id if links else None

    def lineitem(self) -> str:
        if self._lineitem is None:
            programme = self.tenant.get(Programme, self.rule.programme_id)
            self._lineitem = ags.ensure_line_item(
                self.rule.registration_id, self.rule.lineitems_url, programme_id=programme.id, label=programme.name
            )
        return self._lineitem

    def _user(self, employee_id: int) -> str:
        user = self.account(employee_id)
        if user is None:
            raise FatalError(f"employee {employee_id} has no confirmed LMS account link for the programme's course")
        return user

    def find(self, employee_id: int) -> str | None:
        user = self._user(employee_id)
        service = AssignmentsGradesService(
            connector_for(self.rule.registration_id), {"scope": list(AGS_SCOPES), "lineitems": self.rule.lineitems_url}
        )
        results = service.get_grades(LineItem({"id": self.lineitem()}))
        return next((str(r.get("id") or user) for r in results if str(r.get("userId")) == user), None)

    def write(self, employee_id: int, score: float, comment: str) -> str:
        user = self._user(employee_id)
        ags.post_score(self.rule.registration_id, self.lineitem(), user, score_given=score, comment=comment)
        return f"{self.lineitem()}#{user}"


def gradebook_for(tenant: Tenant, rule: CompletionRule) -> LtiGradebook | None:
    """The programme's AGS line item, when a launch has told us where the course gradebook is."""
    if not rule.lineitems_url or rule.registration_id is None:
        return None
    return LtiGradebook(tenant, rule)


def install() -> None:
    """Completion jobs write scores through LTI AGS (services name the writer, lti provides it)."""
    writeback.WRITERS.gradebook = gradebook_for
