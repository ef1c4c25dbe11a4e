"""Reporting lines: checks that hold for records from any source, synthetic or a real HRIS."""

from __future__ import annotations

from collections.abc import Iterable

from plugin.domain.employee import EmployeeRecord

_PREVIEW = 5


def validate_tree(records: Iterable[EmployeeRecord]) -> list[str]:
    """Problems that stop the records forming one reporting tree; [] when they form one.

    Reads only `source_id` and `manager_source_id`, and runs in O(n). It reports duplicate ids,
    managers that are not among the records, cycles (including someone managing themselves), and
    anything but exactly one root. Filter the records first (say, to active employees) if only
    those should form the tree.
    """
    problems: list[str] = []
    manager_of: dict[str, str | None] = {}
    for record in records:
        if record.source_id in manager_of:
            problems.append(f"employee {record.source_id!r} appears more than once")
            continue
        manager_of[record.source_id] = record.manager_source_id or None
    if not manager_of:
        return problems

    for employee, manager in manager_of.items():
        if manager is not None and manager not in manager_of:
            problems.append(f"employee {employee!r} reports to {manager!r}, who is not an employee")
    roots = [employee for employee, manager in manager_of.items() if manager is None]
    if not roots:
        problems.append("no root: everyone has a manager")
    elif len(roots) > 1:
        problems.append(f"{len(roots)} roots, expected one: {_preview(roots)}")
    problems.extend(_cycles(manager_of))
    return problems


def _cycles(manager_of: dict[str, str | None]) -> list[str]:
    """Each cycle once, found by walking up from every employee and never re-walking a settled one."""
    on_path, settled = 1, 2
    state: dict[str, int] = {}
    found: list[str] = []
    for start in manager_of:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in manager_of and node not in state:
            state[node] = on_path
            path.append(node)
            node = manager_of[node]
        if node is not None and state.get(node) == on_path:
            cycle = path[path.index(node) :]
            found.append(f"cycle of {len(cycle)}: {_preview([*cycle, node], ' -> ')}")
        for walked in path:
            state[walked] = settled
    return found


def _preview(ids: list[str], separator: str = ", ") -> str:
    shown = separator.join(repr(i) for i in ids[:_PREVIEW])
    return shown if len(ids) <= _PREVIEW else f"{shown}{separator}... ({len(ids) - _PREVIEW} more)"
