"""Failure counters in the cache, and the client address they are counted for.

A fixed window: the first failure under a key opens a window of `window` seconds; once
`limit` failures are in it, further attempts are refused until it closes.
"""

import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The address limits count: REMOTE_ADDR, or behind TRUSTED_PROXIES reverse proxies the
    one the outermost proxy saw (X-Forwarded-For read from the right, so a client cannot
    forge it by sending the header itself)."""
    hops = settings.TRUSTED_PROXIES
    if hops:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [address.strip() for address in forwarded if address.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def seconds_until_allowed(keys: list[str], *, limit: int) -> int:
    """0 when an attempt may be made under every key, else how long until all windows close."""
    now = time.time()
    wait = 0
    for key in keys:
        found = cache.get_many([key, f"{key}:closes"])
        if found.get(key, 0) >= limit:
            wait = max(wait, int(found.get(f"{key}:closes", now) - now) + 1)
    return wait


def record_failure(keys: list[str], *, window: int) -> None:
    for key in keys:
        if cache.add(key, 1, window):
            cache.set(f"{key}:closes", time.time() + window, window)
        else:
            try:
                cache.incr(key)
            except ValueError:  # the window closed between add() and incr()
                cache.add(key, 1, window)
                cache.set(f"{key}:closes", time.time() + window, window)
