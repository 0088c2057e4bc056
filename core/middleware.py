"""Site-wide middleware that needs no app."""

import logging

from .http import service_unavailable
from .outage import RETRY_AFTER_SECONDS, is_cache_outage

logger = logging.getLogger(__name__)

NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


class CacheOutageMiddleware:
    """A view that cannot reach the cache (the rate limits live there) answers 503 with
    Retry-After, JSON under /api/, instead of a 500: the request may be tried again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_cache_outage(exception):
            return None
        logger.error("cache unreachable: %s: %s", type(exception).__name__, exception)
        return service_unavailable(request, retry_after=RETRY_AFTER_SECONDS)


class NoStoreMiddleware:
    """Nothing the app answers is kept by a browser or a proxy cache: the console and
    partner pages, the exports and the API are a tenant's data, often a signed-in user's.
    A view that set its own Cache-Control keeps it. (Static files are answered before this
    middleware, by WhiteNoise, with their own long-lived headers.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response.headers:
            # What @never_cache sends, as one constant: this runs on every response.
            response.headers["Cache-Control"] = NEVER_CACHE
        return response
