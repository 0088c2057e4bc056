"""Helpers of the reliability suite: callers that really race, each on its own connection."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker

ON_POSTGRESQL = connection.vendor == "postgresql"

postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason=(
        "needs PostgreSQL: the guarantee rests on row locks (SELECT … FOR UPDATE) taken by "
        "concurrent transactions; SQLite has no row locks and the test database is in memory. "
        "Run with DATABASE_URL=postgres://… (as .ci/run does)."
    ),
)

RACE_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Outcome:
    """What one racing call returned, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None


def run_concurrently(calls: list[Callable[[], Any]]) -> list[Outcome]:
    """Run every call in its own thread, released together by a barrier; outcomes in order.

    Each thread opens its own database connection before the barrier (so the race is
    between transactions, not between connection set-ups) and closes it at the end.
    """
    barrier = threading.Barrier(len(calls), timeout=RACE_TIMEOUT_SECONDS)
    outcomes: list[Outcome | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            outcomes[index] = Outcome(value=call())
        except BaseException as exc:  # recorded for the test to judge, never swallowed
            outcomes[index] = Outcome(error=exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call), name=f"racer-{index}")
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RACE_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished"
    return outcomes  # type: ignore[return-value]


def errors_of(outcomes: list[Outcome]) -> list[BaseException]:
    return [outcome.error for outcome in outcomes if outcome.error is not None]


def values_of(outcomes: list[Outcome]) -> list[Any]:
    return [outcome.value for outcome in outcomes if outcome.error is None]


def run_db_workers(count: int, *, timeout: float) -> None:
    """`count` production task workers (django-tasks-db's), each in a thread with its own
    connection, working the default queue until it is empty; waits up to `timeout` s each."""

    def work(worker_id: str) -> None:
        try:
            Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout)
