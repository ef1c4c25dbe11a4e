"""Status words in the page's language: database values stay codes, a page shows these labels.

Templates call them through `admin/_labels.html` (`{{ labels.status(value) }}`); an unknown value is shown as
stored. The words are marked here once and translated one at a time: a Jinja macro that built the whole
table for every call translated thirty strings per badge (150 ms for a page of fifty pairs).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from ..domain.language import N_

STATUS = {
    "draft": N_("draft"),
    "matching": N_("matching"),
    "active": N_("active"),
    "completed": N_("completed"),
    "proposed": N_("proposed"),
    "approved": N_("approved"),
    "ended": N_("ended"),
    "at_risk": N_("at risk"),
    "watch": N_("to watch"),
    "healthy": N_("healthy"),
    "not_started": N_("not started"),
    "queued": N_("queued"),
    "started": N_("running"),
    "deferred": N_("waiting"),
    "scheduled": N_("scheduled"),
    "finished": N_("finished"),
    "failed": N_("failed"),
    "canceled": N_("cancelled"),
    "stopped": N_("stopped"),
    "new": N_("new"),
    "ok": N_("ok"),
    "connected": N_("connected"),
    "syncing": N_("syncing"),
    "warning": N_("warning"),
    "needs_reconnect": N_("needs reconnecting"),
    "error": N_("error"),
    "disabled": N_("disabled"),
    "revoked": N_("revoked"),
    "pending": N_("pending"),
}
END_REASON = {
    "no fault": N_("ended, no fault"),
    "left the organisation": N_("left the organisation"),
    "panel re-matched": N_("panel re-matched"),
    "programme closed": N_("programme closed"),
    "completed": N_("completed"),
    "a partner opted out": N_("a partner opted out"),
}
# why a pair needs attention, by its code (plugin/domain/pair_health.py REASONS words the same in English)
HEALTH_REASON = {
    "no_session": N_("No session for two cadence periods"),
    "one_sided": N_("Only one person logs sessions and the other never confirms"),
    "behind": N_("Fewer than half the expected sessions"),
    "executive_cancels": N_("The executive cancelled two or more sessions"),
}


def _labeller(words: dict[str, str]):
    def label(value):
        word = words.get(value) if isinstance(value, str) else None
        return gettext(word) if word else value

    return label


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        status_label=_labeller(STATUS),
        end_reason_label=_labeller(END_REASON),
        health_reason_label=_labeller(HEALTH_REASON),
    )
