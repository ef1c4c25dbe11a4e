"""Tenant scoping: every read and write of tenant-owned rows goes through one organisation's Tenant."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..errors import NotFound

T = TypeVar("T")
MAX_ID = 2**31 - 1
"""Primary keys are 32-bit integers; a larger id from a URL names nothing (and must not reach the driver)."""


@dataclass(frozen=True)
class Tenant:
    """One organisation's view of the database: rows of other organisations are invisible."""

    session: Session
    organisation_id: int

    def select(self, model: type[T], *criteria) -> Select:
        """A SELECT of `model` already filtered to this organisation."""
        return select(model).where(model.organisation_id == self.organisation_id, *criteria)

    def get(self, model: type[T], row_id: int) -> T:
        """The row with this id if it belongs to this organisation, else NotFound."""
        if not 0 < row_id <= MAX_ID:
            raise NotFound(f"No {model.__name__.lower()} {row_id} in this organisation")
        row = self.session.scalars(self.select(model, model.id == row_id)).first()
        if row is None:
            raise NotFound(f"No {model.__name__.lower()} {row_id} in this organisation")
        return row

    def all(self, model: type[T], *criteria) -> list[T]:
        return list(self.session.scalars(self.select(model, *criteria)))

    def count(self, model: type[T], *criteria) -> int:
        stmt = select(func.count()).select_from(model).where(
            model.organisation_id == self.organisation_id, *criteria)
        return int(self.session.scalar(stmt) or 0)

    def add(self, row: T) -> T:
        """Add a new row, stamping it with this organisation."""
        row.organisation_id = self.organisation_id
        self.session.add(row)
        return row
