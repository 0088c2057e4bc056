"""Site-wide error pages (JSON under /api/, one HTML template elsewhere) and health checks."""

import secrets
import sys

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import http
from .errors import FORBIDDEN
from .http import (
    BAD_REQUEST,
    NO_SUCH_RESOURCE,
    SERVER_ERROR,
    error_page,
    error_response,
    is_api,
    service_unavailable,
)
from .outage import CACHE_OUTAGE_ERRORS, RETRY_AFTER_SECONDS, is_cache_outage

READY_PROBE_KEY = "readyz-probe"

PAGE_FORBIDDEN = _("この画面を表示する権限がありません。")
PAGE_NOT_FOUND = _("お探しのページは見つかりませんでした。")
PAGE_SERVER_ERROR = _("エラーが発生しました。しばらくしてからもう一度お試しください。")


def bad_request(request, exception=None):
    if is_api(request):
        return error_response(400, http.INVALID_PARAMETER, BAD_REQUEST)
    return error_page(400, BAD_REQUEST)


def permission_denied(request, exception=None):
    if is_api(request):
        return error_response(403, http.FORBIDDEN, FORBIDDEN)
    return error_page(403, PAGE_FORBIDDEN)


@csrf_exempt
def page_not_found(request, exception=None, *args, **kwargs):
    if is_api(request):
        return error_response(404, http.NOT_FOUND, NO_SUCH_RESOURCE)
    return error_page(404, PAGE_NOT_FOUND)


def server_error(request):
    # Django calls this inside its `except`: an outage of the cache raised outside a view
    # (in a middleware, say) is a 503 as well (CacheOutageMiddleware handles the views').
    if is_cache_outage(sys.exc_info()[1]):
        return service_unavailable(request, retry_after=RETRY_AFTER_SECONDS)
    if is_api(request):
        return error_response(500, http.INTERNAL_SERVER_ERROR, SERVER_ERROR)
    return error_page(500, PAGE_SERVER_ERROR)


@require_GET
@never_cache
def healthz(request):
    """The process answers; asks nothing of the database."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@never_cache
def readyz(request):
    """Ready for traffic: the database and the cache (rate limits live there) answer."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    ready = all(result == "ok" for result in checks.values())
    status = "ok" if ready else "unavailable"
    return JsonResponse({"status": status, **checks}, status=200 if ready else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return type(exc).__name__
    return "ok"


def _check_cache() -> str:
    probe = secrets.token_hex(8)
    try:
        cache.set(READY_PROBE_KEY, probe, 10)
        answered = cache.get(READY_PROBE_KEY)
    except (*CACHE_OUTAGE_ERRORS, OSError) as exc:
        return type(exc).__name__
    # Another process may have written its own probe in between: any answer proves a
    # round trip, none means the cache keeps nothing (a dummy or full one).
    return "ok" if answered is not None else "no-answer"
