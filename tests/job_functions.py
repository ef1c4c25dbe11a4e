"""Importable job functions used only by the job tests."""

from plugin.errors import FatalError, RetriableError
from plugin.jobs.task import task


@task
def throttled(retry_after: float) -> None:
    raise RetriableError("vendor answered 429", retry_after=retry_after)


@task
def refused() -> None:
    raise FatalError("vendor answered 403: key lacks the employee scope")


@task
def crashes() -> None:
    raise KeyError("unexpected")


@task
def in_app_context() -> str:
    from flask import current_app

    return current_app.config["FLIPSIDE"].queue_prefix


@task
def noted(**ids) -> dict:
    """A job an event subscription can name in tests: it returns the ids it was given."""
    return ids


@task
def sleeps(seconds: float) -> float:
    """A job that keeps its worker busy for a while."""
    import time

    time.sleep(seconds)
    return seconds
