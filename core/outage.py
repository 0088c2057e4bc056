"""Telling a cache outage from any other error.

Rate limits live in the cache. When it cannot be reached, a request that needs it is
answered 503 with Retry-After (`core.middleware.CacheOutageMiddleware`), not 500, and
`/readyz` says so; short socket timeouts (settings) keep a silent cache from holding a
worker for long.
"""

from types import TracebackType

import redis

# What redis-py raises when the server refuses, drops or ignores us (a socket timeout is
# redis.exceptions.TimeoutError, a refused connection redis.exceptions.ConnectionError).
CACHE_OUTAGE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

# An OSError (a socket error another cache client lets through) counts when it was raised
# under one of these modules.
CACHE_MODULES = ("django.core.cache", "redis", "pymemcache")

RETRY_AFTER_SECONDS = 30


def is_cache_outage(exc: BaseException | None) -> bool:
    if isinstance(exc, CACHE_OUTAGE_ERRORS):
        return True
    if isinstance(exc, OSError):
        return _raised_under(exc.__traceback__, CACHE_MODULES)
    return False


def _raised_under(traceback: TracebackType | None, modules: tuple[str, ...]) -> bool:
    while traceback is not None:
        name = traceback.tb_frame.f_globals.get("__name__", "")
        if name.startswith(modules):
            return True
        traceback = traceback.tb_next
    return False
