"""Enqueueing tasks that must not run before the caller's transaction commits."""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.db import connections, router, transaction
from django.db.models import Q
from django.tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# Development's immediate backend runs a task where it is enqueued; these threads keep such
# a task out of the request that caused it (see enqueue_in_background).
_background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-commit")
_started: set[Future] = set()
_started_lock = threading.Lock()


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


def enqueue_in_background(task, *args) -> None:
    """Like enqueue_after_commit, and the caller never waits for the task to run.

    A database-backed queue shares our transaction, and a worker runs the task. Any other
    backend (the immediate one of `make run`) would run it inside the request after commit;
    here it runs in a thread of this process instead, so a task that waits on the network
    (a webhook receiver that never answers) cannot hold up the response.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: _start(task, args))


def queued_runs_drop(task, arguments: list[int]) -> int:
    """Take out of the database queue the runs `task(x)`, one per x in `arguments`, that
    wait there still and that no worker is taking (SKIP LOCKED): for a task whose work one
    run did for the others. Call it in that run's transaction: the runs come back if it
    rolls back. Returns how many went; with any other backend, none."""
    if not arguments or not isinstance(task.get_backend(), DatabaseBackend):
        return 0
    connection = connections[router.db_for_write(DBTaskResult)]
    if connection.vendor == "postgresql":  # by the index of core's migration 0002
        with connection.cursor() as cursor:
            first = [str(argument) for argument in arguments]
            cursor.execute(
                _DROP_SQL, [first, task.module_path, TaskResultStatus.READY, task.backend]
            )
            return cursor.rowcount
    waiting = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
        Q.create([("args_kwargs", {"args": [x], "kwargs": {}}) for x in arguments], "OR"),
        status=TaskResultStatus.READY,
        task_path=task.module_path,
        backend_name=task.backend,
    )
    ids = list(waiting.values_list("pk", flat=True))
    if ids:
        DBTaskResult.objects.filter(pk__in=ids).delete()
    return len(ids)


# The status bound, not written in: see core's migration 0002.
_TABLE = DBTaskResult._meta.db_table
_DROP_SQL = (
    f"DELETE FROM {_TABLE} WHERE id IN (SELECT id FROM {_TABLE}"  # noqa: S608 - no input
    " WHERE (args_kwargs -> 'args' ->> 0) = ANY(%s) AND task_path = %s"
    " AND status = %s AND backend_name = %s"
    " AND jsonb_array_length(args_kwargs -> 'args') = 1"
    " AND args_kwargs -> 'kwargs' = '{}'::jsonb"
    " FOR UPDATE SKIP LOCKED)"
)


def _start(task, args) -> None:
    try:
        future = _background.submit(_run, task, args)
    except RuntimeError:  # the process is exiting (a management command that just finished)
        logger.warning("%s%s not started: the process is exiting", task.name, tuple(args))
        return
    with _started_lock:
        _started.add(future)
    future.add_done_callback(_forget)


def _run(task, args) -> None:
    try:
        task.enqueue(*args)
    finally:
        connections.close_all()  # this thread's own connections


def _forget(future: Future) -> None:
    with _started_lock:
        _started.discard(future)


def background_wait(timeout: float | None = None) -> None:
    """Wait for the tasks started in the background, and for those they started in turn."""
    while True:
        with _started_lock:
            running = list(_started)
        if not running:
            return
        wait(running, timeout)
        if timeout is not None and any(not future.done() for future in running):
            return
