"""Exactly-once writes to vendors: a receipt per (what, whom), checked before and stamped after each write.

A job that writes runs `write_once(tenant, key, ...)`. A receipt marked done means the write happened and
is never repeated. Without one, the vendor is first asked whether it already holds the write (a crash can
fall between the vendor's answer and our commit), and only then is it written. Each receipt commits on its
own, so a worker killed between two writes leaves the first one recorded.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from ..connectors.training import TrainingWriter
from ..errors import ConfigError
from ..models import CompletionRule, Connection, WriteReceipt, utcnow
from .tenant import Tenant


class GradebookWriter(Protocol):
    """The course gradebook of a programme (LTI AGS line item), addressed by our employee ids."""

    def account(self, employee_id: int) -> str | None:
        """The person's account in the gradebook (None: nowhere to post their score)."""

    def find(self, employee_id: int) -> str | None:
        """An id for the score already posted for this person, if any."""

    def write(self, employee_id: int, score: float, comment: str) -> str:
        """Post the score; returns an id for the receipt."""


def write_once(tenant: Tenant, key: str, target: str, find: Callable[[], str | None],
               write: Callable[[], str]) -> WriteReceipt:
    """Perform one vendor write at most once across reruns, and return its receipt."""
    receipt = _receipt(tenant, key, target)
    if receipt.status == "done":
        return receipt
    receipt.attempts += 1
    tenant.session.commit()
    external = find() or write()
    receipt.status, receipt.external_id, receipt.written_at = "done", str(external), utcnow()
    tenant.session.commit()
    return receipt


def _receipt(tenant: Tenant, key: str, target: str) -> WriteReceipt:
    found = tenant.all(WriteReceipt, WriteReceipt.key == key)
    if found:
        return found[0]
    try:
        row = tenant.add(WriteReceipt(key=key, target=target, status="pending"))
        tenant.session.commit()
        return row
    except IntegrityError:  # another worker created it first
        tenant.session.rollback()
        return tenant.all(WriteReceipt, WriteReceipt.key == key)[0]


def receipts(tenant: Tenant, prefix: str) -> list[WriteReceipt]:
    """Receipts whose key starts with `prefix`, for status pages and tests."""
    return tenant.all(WriteReceipt, WriteReceipt.key.startswith(prefix))


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
