"""Job functions under their former names, so work queued before a job module was split still runs after it.

A job in Redis names its function by import path. When `plugin.jobs.life` was split by noun (completion,
cadence, erasure, daily), jobs already queued, scheduled for a retry or waiting in a worker's registry kept
the old path; the worker resolves it through this table. Outbox rows waiting in the database were rewritten
by migration 0031, so only Redis needs the table. Remove an entry once no job of that age can remain (the
longest wait is a failed job kept 30 days for a retry by hand).
"""

from __future__ import annotations

from rq.job import Job
from rq.utils import import_attribute

FORMER_NAMES = {
    "plugin.jobs.life.write_completion": "plugin.jobs.completion.write_completion",
    "plugin.jobs.life.issue_credentials": "plugin.jobs.completion.issue_credentials",
    "plugin.jobs.life.check_cadence": "plugin.jobs.cadence.check_cadence",
    "plugin.jobs.life.remind_pair": "plugin.jobs.cadence.remind_pair",
    "plugin.jobs.life.schedule_erasure": "plugin.jobs.erasure.schedule_erasure",
    "plugin.jobs.life.erase_leavers": "plugin.jobs.erasure.erase_leavers",
}


def current_name(func_name: str | None) -> str | None:
    """The import path a job function has now, given the one a job was queued with."""
    return FORMER_NAMES.get(func_name, func_name) if func_name else func_name


class RenamedAwareJob(Job):
    """RQ's job, which finds a function that moved under its current name (the workers' job class)."""

    @property
    def func(self):
        current = current_name(self.func_name)
        if current != self.func_name and not self.instance:
            return import_attribute(current)
        return super().func
