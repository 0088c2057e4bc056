"""Helpers of the reliability suite: callers that really race, each on its own connection."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

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
