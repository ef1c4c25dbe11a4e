"""Tenancy is the session's job (SQLAlchemy's multi-tenant recipe: do_orm_execute + with_loader_criteria).

Every ORM class that inherits `TenantOwned` is filtered to one organisation on every SELECT, UPDATE and
DELETE the session runs, joins and subqueries included. The organisation comes from the statement's
`organisation_id` execution option, which the services' `Tenant` puts on everything it runs. A statement
that reads a tenant-owned table with neither that option nor the named escape hatch `ALL_TENANTS` raises
`TenancyError`: a forgotten filter fails loudly instead of leaking another organisation's rows.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import ForeignKey, Table, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, with_loader_criteria
from sqlalchemy.sql import visitors

from ..errors import TenancyError

ORGANISATION = "organisation_id"
ALL_TENANTS = "all_tenants"
"""The one escape hatch: `.execution_options(all_tenants=True)` (or `all_tenants(session)`) reads every
organisation's rows. Only lookups that find the tenant in the first place use it (a webhook's connection,
an API token, an LTI launch's deployment, the CLI's choice of organisation)."""


class TenantOwned:
    """Mixin of every ORM class whose rows belong to one organisation (they carry `organisation_id`)."""

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)


def tenant_tables() -> frozenset[Table]:
    """The tables of every mapped TenantOwned class."""
    return frozenset(cls.__table__ for cls in _subclasses(TenantOwned) if hasattr(cls, "__table__"))


def _subclasses(cls) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


@contextmanager
def all_tenants(session: Session):
    """Run the block's statements over every organisation (the named escape hatch, for the session)."""
    previous = session.info.get(ALL_TENANTS, False)
    session.info[ALL_TENANTS] = True
    try:
        yield session
    finally:
        session.info[ALL_TENANTS] = previous


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    """Add the organisation's criteria to every tenant-owned entity, or refuse an unscoped statement."""
    if state.is_column_load or state.is_relationship_load:
        return  # lazy loads inherit the criteria of the query that loaded their parent
    if not (state.is_select or state.is_update or state.is_delete):
        return
    options = state.execution_options
    if options.get(ALL_TENANTS) or state.session.info.get(ALL_TENANTS):
        return
    organisation_id = options.get(ORGANISATION)
    if organisation_id is None:
        _refuse_unscoped(state)
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantOwned, lambda cls: cls.organisation_id == organisation_id, include_aliases=True)
    )


def _refuse_unscoped(state: ORMExecuteState) -> None:
    owned = tenant_tables()
    for node in visitors.iterate(state.statement):
        if isinstance(node, Table) and node in owned:
            raise TenancyError(
                f"A query of {node.name} ran without an organisation: go through a Tenant, "
                f"or name the escape hatch with execution_options(all_tenants=True)"
            )
