"""Error answers: JSON in the API's shape (`{"code": "...", "description": "..."}`) under
/api/, one HTML template everywhere else."""

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _

API_PREFIX = "/api/"

# The API's error codes that are not a service's refusal (those carry their own).
INVALID_PARAMETER = "INVALID_PARAMETER"
UNAUTHORIZED = "UNAUTHORIZED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"

UNAVAILABLE = _("ただいまサービスをご利用いただけません。しばらくしてからもう一度お試しください。")

BAD_REQUEST = _("リクエストが正しくありません。")
NO_SUCH_RESOURCE = _("指定されたAPIはありません。")
SERVER_ERROR = _("サーバーでエラーが発生しました。時間をおいてもう一度お試しください。")


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def json_response(data: dict, *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def error_response(
    status: int, code: str, description, *, headers: dict | None = None
) -> JsonResponse:
    response = json_response({"code": code, "description": str(description)}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_page(status: int, message) -> HttpResponse:
    """The one error template. Rendered without the request: a 500 must not depend on the
    context processors (or the database they may reach) that may have caused it."""
    body = loader.get_template("error.html").render({"status": status, "message": message})
    return HttpResponse(body, status=status)


def service_unavailable(request, *, retry_after: int) -> HttpResponse:
    """503 with Retry-After: something the request needs (the cache) cannot be reached."""
    if is_api(request):
        response = error_response(503, SERVICE_UNAVAILABLE, UNAVAILABLE)
    else:
        response = error_page(503, UNAVAILABLE)
    response["Retry-After"] = str(retry_after)
    return response
