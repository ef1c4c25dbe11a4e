"""Computed views kept per process, keyed on the organisation's change stamps (models.stamps).

A view is recomputed when a stamp it depends on changes (a session logged, a pair excluded, a sync) or its
day does; otherwise every worker answers from memory. No stamp yet means nothing to key on: computed, not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..models.stamps import pending, tokens
from .tenant import Tenant

KEPT = 64  # views per process (one per programme, page kind and day: a few dozen in a busy organisation)

_views: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def view(tenant: Tenant, topics: tuple[str, ...], key: tuple, compute: Callable[[], Any]) -> Any:
    """The value of `compute()` for `key` as of the organisation's current `topics` stamps."""
    stamp = tokens(tenant.session, tenant.organisation_id, *topics)
    if stamp is None or pending(tenant.session, tenant.organisation_id, topics):
        return compute()
    full = (tenant.organisation_id, *key, stamp)
    with _lock:
        if full in _views:
            _views.move_to_end(full)
            return _views[full]
    value = compute()
    with _lock:
        _views[full] = value
        while len(_views) > KEPT:
            _views.popitem(last=False)
    return value
