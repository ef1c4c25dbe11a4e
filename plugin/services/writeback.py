"""Where completion is written: the course gradebook (AGS) and the HRIS training record.

Each write goes through the one receipt rule (services/receipts.py), so a rerun writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..connectors.training import TrainingWriter
from ..errors import ConfigError
from ..models import CompletionRule, Connection
from .tenant import Tenant


class GradebookWriter(Protocol):
    """The course gradebook of a programme (LTI AGS line item), addressed by our employee ids."""

    def account(self, employee_id: int) -> str | None:
        """The person's account in the gradebook (None: nowhere to post their score)."""

    def find(self, employee_id: int) -> str | None:
        """An id for the score already posted for this person, if any."""

    def write(self, employee_id: int, score: float, comment: str) -> str:
        """Post the score; returns an id for the receipt."""


def default_gradebook(tenant: Tenant, rule: CompletionRule) -> GradebookWriter | None:
    """No gradebook until the LTI layer installs its own (plugin.lti.gradebook.install, run by create_app)."""
    raise ConfigError("no course gradebook writer is installed (create_app installs the LTI one)")


def default_training(tenant: Tenant, connection: Connection) -> TrainingWriter:
    """The training writer of an HRIS connection."""
    from flask import current_app

    from . import hris_writers

    return hris_writers.training_writer(connection, current_app.extensions["flipside.vault"])


@dataclass
class Writers:
    """Where completion jobs write; swapped only in tests that run jobs in-process."""

    gradebook: Callable[[Tenant, CompletionRule], GradebookWriter | None] = default_gradebook
    training: Callable[[Tenant, Connection], TrainingWriter] = default_training


WRITERS = Writers()
