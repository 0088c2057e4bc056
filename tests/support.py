"""Helpers every suite shares: proving that a refused request or call wrote nothing."""

import signal
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command

# The task queue's rows count too: a refused change must not leave an e-mail task behind.
OTHER_WATCHED_APPS = ("django_tasks_database",)
# What an API call writes whether or not it is refused (the token's last use).
TOKEN_LAST_USE = "partners.ApiToken.last_used_at"
# Failed verification attempts are audited (and rate-limited) even though they change nothing.
AUDIT_EVENTS = "accounts.AuditEvent"


def _watched_models():
    base = Path(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if config.label in OTHER_WATCHED_APPS or Path(config.path).is_relative_to(base):
            yield from config.get_models()


def db_state(*, ignore: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every model of the project (and of the task queue), field by field.

    `ignore` names models (`"accounts.AuditEvent"`) or fields
    (`"partners.ApiToken.last_used_at"`) left out of the comparison.
    """
    state = {}
    for model in _watched_models():
        label = model._meta.label
        if label in ignore:
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if f"{label}.{field.name}" not in ignore
        ]
        state[label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return state


@contextmanager
def nothing_written(*, ignore: tuple[str, ...] = ()):
    """Assert that the block leaves every row as it found it (but what `ignore` names)."""
    before = db_state(ignore=ignore)
    yield
    after = db_state(ignore=ignore)
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"rows changed in {changed}"


@contextmanager
def _signal_handlers_kept():
    """db_worker installs its own shutdown handlers; give pytest its own back."""
    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    kept = {number: signal.getsignal(number) for number in numbers}
    try:
        yield
    finally:
        for number, handler in kept.items():
            signal.signal(number, handler)


def drain_queue() -> None:
    """`manage.py db_worker --batch`: run every task that is due, then exit."""
    with _signal_handlers_kept():
        call_command(
            "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
        )
