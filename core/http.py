"""JSON answers in the API's shape: `{"code": "...", "description": "..."}` for every error."""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

API_PREFIX = "/api/"

# The API's error codes that are not a service's refusal (those carry their own).
INVALID_PARAMETER = "INVALID_PARAMETER"
UNAUTHORIZED = "UNAUTHORIZED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

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
