"""Posting to a Slack or Microsoft Teams incoming webhook: one try per call, failures classified.

The delivery job owns the retries (it honours Retry-After and backs off), so a post is tried once here:
429 and 5xx -> RetriableError (with the Retry-After seconds), other 4xx -> FatalError with the vendor's
words (Slack answers `invalid_payload`, `no_service`, `channel_is_archived`), timeouts -> RetriableError.
"""

from __future__ import annotations

import requests

from . import http

VENDOR_NAMES = {"slack": "Slack", "teams": "Microsoft Teams"}
TIMEOUT = (5.0, 20.0)


def post(session: requests.Session, vendor: str, url: str, body: dict) -> None:
    """POST the JSON body to the webhook; returns once the vendor accepted it (2xx)."""
    response = http.send(
        session,
        "POST",
        url,
        json=body,
        policy=http.RetryPolicy(attempts=1),
        vendor=VENDOR_NAMES.get(vendor, vendor),
        timeout=TIMEOUT,
        allow_redirects=False,  # a webhook that redirects elsewhere is not followed
    )
    response.close()
