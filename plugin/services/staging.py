"""PostgreSQL bulk upserts: COPY a batch into a temporary staging table, then one INSERT ... ON CONFLICT.

COPY moves rows about three times faster than executemany; the upsert then runs inside the server,
skipping rows whose content hash is unchanged (`WHERE employee.record_hash IS DISTINCT FROM ...`) and
erased leavers the HRIS still lists as inactive, and
`RETURNING (xmax = 0)` tells inserted rows from updated ones. Deactivations are found by joining the
staged rows to the stored ones before the upsert.
"""

from __future__ import annotations

import json

from psycopg import sql

from ..models import ERASED_RECORD
from .tenant import Tenant

STAGE = sql.Identifier("employee_stage")
JSON_COLUMNS = frozenset({"languages", "expertise", "learning_goals", "custom_fields"})


def upsert(tenant: Tenant, rows: list[dict], updatable: list[str]) -> tuple[int, int, int, list[str]]:
    """Stage `rows` and upsert them; returns (inserted, updated, unchanged, deactivated source ids)."""
    columns = list(rows[0])
    connection = tenant.session.connection()
    cursor = connection.connection.driver_connection.cursor()
    try:
        _stage(cursor, rows, columns)
        cursor.execute(_DEACTIVATED)
        deactivated = [row[0] for row in cursor.fetchall()]
        cursor.execute(_upsert_sql(columns, updatable))
        flags = [row[0] for row in cursor.fetchall()]
        cursor.execute(sql.SQL("TRUNCATE {}").format(STAGE))
    finally:
        cursor.close()
    inserted = sum(flags)
    return inserted, len(flags) - inserted, len(rows) - len(flags), deactivated


def _names(columns: list[str]) -> sql.Composed:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


def _stage(cursor, rows: list[dict], columns: list[str]) -> None:
    cursor.execute(
        sql.SQL(
            "CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS SELECT {} FROM employee WITH NO DATA"
        ).format(STAGE, _names(columns))
    )
    cursor.execute(sql.SQL("TRUNCATE {}").format(STAGE))
    encoded = [i for i, c in enumerate(columns) if c in JSON_COLUMNS]
    memo: dict = {}
    with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(STAGE, _names(columns))) as copy:
        for row in rows:
            values = list(row.values())
            for i in encoded:
                values[i] = _json(values[i], memo)
            copy.write_row(values)


def _json(value, memo: dict) -> str:
    """JSON text of a list or dict column; a batch repeats the same few lists, so each is encoded once."""
    if value == [] or value == {}:
        return "[]" if isinstance(value, list) else "{}"
    key = tuple(value) if isinstance(value, list) else None
    if key is None:
        return json.dumps(value)
    text = memo.get(key)
    if text is None:
        text = memo[key] = json.dumps(value)
    return text


_DEACTIVATED = sql.SQL(
    "SELECT s.source_id FROM {} s JOIN employee e ON e.organisation_id = s.organisation_id "
    "AND e.source_system = s.source_system AND e.source_id = s.source_id "
    "WHERE e.active AND NOT s.active AND e.record_hash <> s.record_hash"
).format(STAGE)


def _upsert_sql(columns: list[str], updatable: list[str]) -> sql.Composed:
    # managers already stored are linked on the way in (relink_managers then touches only the few others)
    sets = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in [*updatable, "manager_id"]
    )
    return sql.SQL(
        "INSERT INTO employee ({names}, manager_id, created_at) SELECT {staged}, m.id, now() FROM {stage} s "
        "LEFT JOIN employee m ON m.organisation_id = s.organisation_id AND m.source_system = s.source_system "
        "AND m.source_id = s.manager_source_id "
        "ON CONFLICT (organisation_id, source_system, source_id) DO UPDATE SET {sets} "
        "WHERE employee.record_hash IS DISTINCT FROM EXCLUDED.record_hash "
        "AND (employee.record_hash IS DISTINCT FROM {erased} OR EXCLUDED.active) RETURNING (xmax = 0)"
    ).format(
        names=_names(columns),
        stage=STAGE,
        sets=sets,
        erased=sql.Literal(ERASED_RECORD),
        staged=sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in columns),
    )
