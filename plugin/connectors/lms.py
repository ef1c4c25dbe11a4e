"""What every LMS connector returns and accepts: our own dataclasses, never vendor field names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

LEARNER = "learner"


@dataclass(frozen=True, slots=True)
class LmsPerson:
    """Someone to find or create in the LMS, as Flipside knows them."""

    email: str
    first_name: str
    last_name: str
    external_id: str = ""  # our employee id; becomes the LMS idnumber / SIS-free reference


@dataclass(frozen=True, slots=True)
class LmsUser:
    """A user account in the LMS."""

    id: str
    email: str
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """How far one learner is through one course, read back from the LMS.

    state: complete | in_progress | awaiting_aggregation (criteria met, the LMS has not rolled them up yet)
    | not_tracked (the course has no completion criteria) | not_enrolled.
    """

    state: str
    criteria_done: int = 0
    criteria_total: int = 0
    completed_at: datetime | None = None

    @property
    def completed(self) -> bool:
        return self.state == "complete"


@dataclass(frozen=True, slots=True)
class LmsCourse:
    """A course an HR admin may attach a programme to, as the LMS lists it."""

    id: str
    name: str
    code: str = ""


@dataclass(frozen=True, slots=True)
class LmsActivity:
    """An activity (Moodle course module, Canvas module) whose completion the LMS tracks for each learner."""

    id: str
    name: str
    url: str = ""


class LmsConnector(Protocol):
    """The surface the enrolment service uses; MoodleConnector and CanvasConnector both provide it."""

    vendor: str

    def courses(self) -> list[LmsCourse]:
        """The courses the connection may see (never the site's front page)."""

    def find_users(self, emails: list[str]) -> dict[str, LmsUser]:
        """Existing users keyed by lower-cased email; misses are simply absent."""

    def create_user(self, person: LmsPerson) -> LmsUser:
        """Create one user account."""

    def enrol(self, course_id: str, user_id: str, role: str = LEARNER) -> str:
        """Enrol (or re-activate) a user; returns the LMS's reference for the enrolment."""

    def suspend(self, course_id: str, user_id: str, enrolment_ref: str, role: str = LEARNER) -> None:
        """Suspend an enrolment so course history stays."""

    def ensure_group_set(self, course_id: str, key: str, name: str) -> str:
        """The container for a programme's groups (Canvas group category; Moodle has none: the course)."""

    def ensure_group(self, course_id: str, group_set: str, key: str, name: str) -> str:
        """Create the group with this stable key, or find it if an earlier attempt already did."""

    def find_group(self, course_id: str, group_set: str, key: str) -> str | None:
        """The group with this key if it exists (after a crash between creating it and storing the receipt)."""

    def add_members(self, group_id: str, user_ids: list[str]) -> None:
        """Add users to a group (adding an existing member is harmless)."""

    def progress(self, course_id: str, user_id: str) -> Progress:
        """Completion read back for one learner."""

    def activities(self, course_id: str) -> list[LmsActivity]:
        """The course's activities that track completion, in course order."""

    def activities_done(self, course_id: str, user_id: str) -> set[str]:
        """Ids of the activities this learner has completed (none when not enrolled)."""

    def send_message(self, user_id: str, subject: str, text: str, html: str, *, client_ref: str = "") -> str:
        """A private message to one LMS user (Moodle instant message, Canvas conversation); returns its id."""
