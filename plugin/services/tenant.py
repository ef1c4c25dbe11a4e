"""Tenant scoping: every read and write of tenant-owned rows goes through one organisation's Tenant.

The filtering itself is the session's (models.tenancy): the Tenant's session stamps its organisation on
every statement it runs, so `tenant.session.scalars(select(Pair))` sees this organisation's pairs only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models.tenancy import ORGANISATION

T = TypeVar("T")
MAX_ID = 2**31 - 1
"""Primary keys are 32-bit integers; a larger id from a URL names nothing (and must not reach the driver)."""


class TenantSession:
    """A Session whose statements all carry one organisation (everything else is the Session's own)."""

    def __init__(self, session: Session, organisation_id: int):
        self._session = session
        self._options = {ORGANISATION: organisation_id}

    @property
    def raw(self) -> Session:
        return self._session

    def _scoped(self, options: dict | None) -> dict:
        return {**self._options, **(options or {})}

    def execute(self, statement, params=None, *, execution_options=None, **kw):
        return self._session.execute(statement, params, execution_options=self._scoped(execution_options), **kw)

    def scalars(self, statement, params=None, *, execution_options=None, **kw):
        return self._session.scalars(statement, params, execution_options=self._scoped(execution_options), **kw)

    def scalar(self, statement, params=None, *, execution_options=None, **kw):
        return self._session.scalar(statement, params, execution_options=self._scoped(execution_options), **kw)

    def get(self, model, ident, **kw):
        row = self._session.get(model, ident, execution_options=self._scoped(kw.pop("execution_options", None)), **kw)
        # the identity map answers without SQL: a row another organisation's code loaded stays invisible
        if row is not None and getattr(row, ORGANISATION, self._options[ORGANISATION]) != self._options[ORGANISATION]:
            return None
        return row

    def __getattr__(self, name):
        return getattr(self._session, name)


@dataclass(frozen=True)
class Tenant:
    """One organisation's view of the database: rows of other organisations are invisible."""

    session: Session
    organisation_id: int

    def __post_init__(self):
        raw = self.session.raw if isinstance(self.session, TenantSession) else self.session
        object.__setattr__(self, "session", TenantSession(raw, self.organisation_id))

    def select(self, model: type[T], *criteria) -> Select:
        """A SELECT of `model` in this organisation, whichever session runs it (the session adds the filter)."""
        return select(model).where(*criteria).execution_options(**{ORGANISATION: self.organisation_id})

    def get(self, model: type[T], row_id: int) -> T:
        """The row with this id if it belongs to this organisation, else NotFound."""
        if not 0 < row_id <= MAX_ID:
            raise NotFound(f"No {model.__name__.lower()} {row_id} in this organisation")
        row = self.session.get(model, row_id)
        if row is None:
            raise NotFound(f"No {model.__name__.lower()} {row_id} in this organisation")
        return row

    def all(self, model: type[T], *criteria) -> list[T]:
        return list(self.session.scalars(self.select(model, *criteria)))

    def count(self, model: type[T], *criteria) -> int:
        stmt = select(func.count()).select_from(model).where(*criteria)
        return int(self.session.scalar(stmt) or 0)

    def add(self, row: T) -> T:
        """Add a new row, stamping it with this organisation."""
        row.organisation_id = self.organisation_id
        self.session.add(row)
        return row
