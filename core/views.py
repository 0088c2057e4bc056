"""Site-wide error pages (JSON under /api/, one HTML template elsewhere) and health checks."""

from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import http
from .errors import FORBIDDEN
from .http import BAD_REQUEST, NO_SUCH_RESOURCE, SERVER_ERROR, error_response, is_api

PAGE_FORBIDDEN = _("この画面を表示する権限がありません。")
PAGE_NOT_FOUND = _("お探しのページは見つかりませんでした。")
PAGE_SERVER_ERROR = _("エラーが発生しました。しばらくしてからもう一度お試しください。")


def error_page(status: int, message) -> HttpResponse:
    """The one error template. Rendered without the request: a 500 must not depend on the
    context processors (or the database they may reach) that may have caused it."""
    body = loader.get_template("error.html").render({"status": status, "message": message})
    return HttpResponse(body, status=status)


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
    """Ready for traffic: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "unavailable", "error": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok"})
