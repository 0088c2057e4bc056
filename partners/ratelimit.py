"""Failed-verification counters per staff user and per client address, in the cache.

A fixed window: the first failure opens a window of VERIFY_RATE_WINDOW_SECONDS; once
VERIFY_RATE_LIMIT failures are in it, further attempts are refused until it closes.
"""

import time

from django.conf import settings
from django.core.cache import cache


def _keys(*, user_id: int, client_ip: str | None) -> list[str]:
    keys = [f"verify-fail:user:{user_id}"]
    if client_ip:
        keys.append(f"verify-fail:ip:{client_ip}")
    return keys


def seconds_until_allowed(*, user_id: int, client_ip: str | None) -> int:
    """0 when a verification may be attempted, else how long until the window closes."""
    now = time.time()
    wait = 0
    for key in _keys(user_id=user_id, client_ip=client_ip):
        found = cache.get_many([key, f"{key}:closes"])
        if found.get(key, 0) >= settings.VERIFY_RATE_LIMIT:
            wait = max(wait, int(found.get(f"{key}:closes", now) - now) + 1)
    return wait


def record_failure(*, user_id: int, client_ip: str | None) -> None:
    window = settings.VERIFY_RATE_WINDOW_SECONDS
    for key in _keys(user_id=user_id, client_ip=client_ip):
        if cache.add(key, 1, window):
            cache.set(f"{key}:closes", time.time() + window, window)
        else:
            try:
                cache.incr(key)
            except ValueError:  # the window closed between add() and incr()
                cache.add(key, 1, window)
                cache.set(f"{key}:closes", time.time() + window, window)
