"""Running the webhook inbox's drain in a test, as a worker would after the endpoint answered."""

from __future__ import annotations

DRAIN = "plugin.jobs.inbox.drain"


def drain_inbox(queue) -> list[dict]:
    """Run the drains the endpoint queued on `queue` (leaving every other job queued); their results."""
    results = []
    for job in queue.jobs:
        if job.func_name == DRAIN:
            queue.remove(job)
            results.append(job.perform())
    return results


def drained_request_id(results: list[dict]) -> int | None:
    """The sync request the drained deliveries joined (None when they were all duplicates)."""
    ids = {i for r in results for i in r["sync_requests"]}
    assert len(ids) <= 1, ids
    return next(iter(ids), None)


def clear_inboxes(settings) -> None:
    """Forget every inbox of the test's prefix (tests reuse connection ids once tables are emptied)."""
    from plugin.jobs.connection import redis_connection

    client = redis_connection(settings)
    keys = list(client.scan_iter(f"flipside:{settings.queue_prefix}:webhooks:*"))
    if keys:
        client.delete(*keys)
