"""Attempt counters in the cache, and the client address they are counted for.

A fixed window per key: the first attempt counted under a key opens a window of `window`
seconds; once `limit` attempts are counted in it, further ones are refused until it closes.

An attempt is counted first and decided after (`acquire`): the cache's atomic increment
hands out places, so a burst of simultaneous attempts gets exactly `limit` of them, never
more. The caller gives the place back (`release`) when the attempt turns out not to be one
that counts (a success, or an error that reveals nothing).

With Redis (production) an attempt is one script run by the server, so one round trip for
all its keys, and the window is the count's own expiry. Any other cache (local memory in
development) goes through Django's cache API: five operations per key.
"""

import logging
import time
import weakref

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

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
    if redis := _redis():
        return redis.run(redis.acquire, keys, limit, window)
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
    if redis := _redis():
        try:
            redis.run(redis.release, keys)
        except CACHE_OUTAGE_ERRORS as exc:
            logger.warning("could not release a rate-limit place: %s", type(exc).__name__)
        return
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
    if redis := _redis():
        return bool(redis.client.get(redis.name(key)))
    return bool(cache.get(key))


def mark(key: str, *, window: int) -> bool:
    """Remember `key` for `window` seconds; True the first time, False while remembered."""
    if redis := _redis():
        return bool(redis.client.set(redis.name(key), 1, nx=True, ex=window))
    return cache.add(key, 1, window)


def _increment(key: str, *, window: int, now: float) -> tuple[int, float]:
    """The count under `key` after this attempt, and when its window closes.

    The count is only ever changed by the cache's atomic operations: `add` opens a window at
    0 (a no-op while one is open) and `incr` takes a place. Nothing sets it back, so no
    attempt of a burst can wipe out the places others took.
    """
    for _retry in range(3):
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # the window closed between add() and incr(): open the next
            continue
        break
    else:
        count = 1
    if count == 1:
        # The first place of a window. Django's Redis incr() checks that the key exists and
        # then increments: had the key expired in between, Redis would have made a new one
        # without an expiry, a lock that never lifts. Give it its window either way.
        cache.touch(key, window)
    closes_key = f"{key}:closes"
    cache.add(closes_key, now + window, window)
    closes = cache.get(closes_key)
    return count, (now + window if closes is None else closes)


# Redis ---------------------------------------------------------------------------------------
# Run by the server as one atomic step, so nothing else happens between its commands.

# KEYS: the counts; ARGV: limit, window in seconds. Returns the seconds to wait, 0 to go
# ahead. A count without an expiry (its window's first place) gets the window as expiry;
# when a window is full, every place this attempt took is given back.
_ACQUIRE = """
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait = 0
for _, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    local left = redis.call('PTTL', key)
    if left < 0 then
        redis.call('EXPIRE', key, window)
        left = window * 1000
    end
    if count > limit then
        wait = math.max(wait, math.floor(left / 1000) + 1)
    end
end
if wait > 0 then
    for _, key in ipairs(KEYS) do
        redis.call('DECR', key)
    end
end
return wait
"""

# KEYS: the counts to give a place back to; a window that has closed is left closed.
_RELEASE = """
for _, key in ipairs(KEYS) do
    if redis.call('EXISTS', key) == 1 then
        redis.call('DECR', key)
    end
end
return 0
"""


class _Redis:
    """The cache's Redis, its client and scripts made once per cache (Django makes a new
    client, ~170 reply handlers, for every operation). Every command goes to the first
    server, where Django sends its writes."""

    def __init__(self, redis_cache: RedisCache):
        # The cache's own names (its prefix and version), without holding on to the cache:
        # this lives only as long as the cache does (`_REDIS`).
        make_key, prefix, version = (
            redis_cache.key_func,
            redis_cache.key_prefix,
            redis_cache.version,
        )
        self.name = lambda key: make_key(key, prefix, version)
        self.client = redis_cache._cache.get_client(write=True)
        self.acquire = self.client.register_script(_ACQUIRE)
        self.release = self.client.register_script(_RELEASE)

    def run(self, script, keys: list[str], *args) -> int:
        return int(script(keys=[self.name(key) for key in keys], args=args))


_REDIS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _redis() -> _Redis | None:
    """The default cache's Redis, or None for any other cache."""
    default = caches["default"]
    if not isinstance(default, RedisCache):
        return None
    redis = _REDIS.get(default)
    if redis is None:
        redis = _REDIS[default] = _Redis(default)
    return redis
