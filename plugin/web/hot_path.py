"""The views on every LTI launch's critical path, and the app-wide hooks they skip, by endpoint name.

Each click on Flipside in a course is one OIDC login and one launch; both must stay within the bare
pylti1p3 tool's cost (docs/benchmarks.md). A hook wrapped by `skipped_on_hot_path` does not run for the
views named here; each entry says what stands in for the skipped hooks. The ones that protect or observe
every request (body limit, request id, metrics, security headers) are never wrapped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import request

HOT_VIEWS = {
    "lti.login": "CSRF: exempt by name (state and nonce bind the launch); Babel: the page selects its locale "
    "itself when it renders",
    "lti.launch": "CSRF: exempt by name (signed id_token, nonce and state); Babel: a redirect has no text, the "
    "rejection page selects its locale when it renders",
}


def on_hot_path() -> bool:
    """Whether this request is for one of the views named above."""
    return request.endpoint in HOT_VIEWS


def skipped_on_hot_path(hook: Callable[[], None]) -> Callable[[], None]:
    """A before_request hook that does not run for the hot views (it must return None when it passes)."""

    @functools.wraps(hook)
    def guarded() -> None:
        if request.endpoint in HOT_VIEWS:
            return None
        return hook()

    return guarded
