"""Attempt counters in the cache, and the client address they are counted for.

A fixed window per key: the first attempt counted under a key opens a window of `window`
seconds; once `limit` attempts are counted in it, further ones are refused until it closes.

An attempt is counted first and decided after (`acquire`): the cache's atomic increment
hands out places, so a burst of simultaneous attempts gets exactly `limit` of them, never
more. The caller gives the place back (`release`) when the attempt turns out not to be one
that counts (a success, or an error that reveals nothing).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from .outage import CACHE_OUTAGE_ERRORS

logger = logging.getLogger(__name__)


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


def acquire(keys: list[str], *, limit: int, window: int) -> int:
    """Count one attempt under every key, then decide.

    0: the attempt may go ahead and stays counted until `release(keys)`. Otherwise the
    seconds until every window that is full closes; the attempt is then not counted.
    """
    now = time.time()
    wait = 0
    for key in keys:
        count, closes = _increment(key, window=window, now=now)
        if count > limit:
            wait = max(wait, int(closes - now) + 1)
    if wait:
        release(keys)
    return wait


def release(keys: list[str]) -> None:
    """Give back the places `acquire` took: the attempt does not count.

    Never fails the request: the attempt it gives back has already been answered, and an
    unreachable cache only means one place stays taken until the window closes.
    """
    for key in keys:
        try:
            cache.decr(key)
        except ValueError:  # the window closed meanwhile: nothing left to give back
            pass
        except CACHE_OUTAGE_ERRORS as exc:
            logger.warning("could not release a rate-limit place: %s", type(exc).__name__)
            return


def is_counted(key: str) -> bool:
    """Whether anything is counted under `key` in an open window."""
    return bool(cache.get(key))


def mark(key: str, *, window: int) -> bool:
    """Remember `key` for `window` seconds; True the first time, False while remembered."""
    return cache.add(key, 1, window)


def _increment(key: str, *, window: int, now: float) -> tuple[int, float]:
    """The count under `key` after this attempt, and when its window closes."""
    closes_key = f"{key}:closes"
    if cache.add(key, 1, window):
        cache.set(closes_key, now + window, window)
        return 1, now + window
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        return _open(key, window=window, now=now)
    closes = cache.get(closes_key)
    if closes is None:
        # The window closed but the count outlived it (an increment that raced the
        # expiry can leave a key without one): start a new window rather than a lock
        # that never lifts.
        return _open(key, window=window, now=now)
    return count, closes


def _open(key: str, *, window: int, now: float) -> tuple[int, float]:
    cache.set(key, 1, window)
    cache.set(f"{key}:closes", now + window, window)
    return 1, now + window
