"""Background jobs: one ``enqueue()`` entry point.

Without ``REDIS_URL`` a job runs inline, at once, in the caller's app context, so the embedded
default needs no server. With it, the job goes on the RQ queue ``clientdesk`` and ``rq worker``
(see the Procfile) runs it. Jobs take ids, reload their records and are safe to run twice.
"""

from __future__ import annotations

import functools

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue, Retry

QUEUE_NAME = "clientdesk"
_worker_app = None


def _app():
    """The app a job runs in: the caller's, or one created once per worker process."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    return _worker_app


def job(func):
    """Mark a job: in a worker it gets an app context; inline it uses the caller's."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        with _app().app_context():
            return func(*args, **kwargs)

    return wrapper


def queue(app=None) -> Queue | None:
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    return Queue(QUEUE_NAME, connection=Redis.from_url(url))


def enqueue(func, *args, retries: int = 3, **kwargs):
    """Run ``func(*args)`` as a job: on RQ when ``REDIS_URL`` is set, inline otherwise.

    Returns the RQ job, or the function's result when it ran inline. Call it after the commit
    that created what the job reads: a worker sees only committed rows.
    """
    q = queue()
    if q is None:
        return func(*args, **kwargs)
    return q.enqueue(
        func, *args, retry=Retry(max=retries, interval=[10, 60, 300][:retries]), **kwargs
    )
