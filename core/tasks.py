"""Enqueueing a task that must not run before the caller's transaction commits."""

from django.db import transaction
from django_tasks_db.backend import DatabaseBackend


def enqueue_after_commit(task, *args) -> None:
    """Queue `task(*args)` so that it can never run before the current transaction commits.

    A database-backed queue shares our transaction (a transactional outbox: the task row
    commits or rolls back with the change); any other backend is enqueued after commit.
    django.tasks itself has no enqueue-on-commit.
    """
    # The task's own backend, not `django.tasks.default_task_backend`: that is a proxy,
    # and isinstance() on a proxy is always False.
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
