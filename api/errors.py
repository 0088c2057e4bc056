"""Every refusal as `{"code", "description"}` JSON, whatever raised it."""

import logging

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from core import http
from core.errors import FORBIDDEN, FlowError, RateLimited
from core.outage import RETRY_AFTER_SECONDS, is_cache_outage

from .auth import InvalidToken
from .refusals import InsufficientScope

logger = logging.getLogger(__name__)

AUTH_REALM = 'Bearer realm="worksadmin"'
TOKEN_MISSING = _("Authorization ヘッダーに Bearer トークンを指定してください。")
TOKEN_INVALID = _("APIトークンが正しくないか、無効化されています。")
BODY_NOT_JSON_OBJECT = _("リクエストボディはJSONオブジェクトで指定してください。")
MUST_BE_STRING = _("%(field)s は文字列で指定してください。")
MUST_BE_BOOLEAN = _("%(field)s は true または false で指定してください。")
REQUIRED = _("%(field)s を指定してください。")
INVALID_VALUE = _("%(field)s の値が正しくありません。")
METHOD_NOT_ALLOWED = _("このAPIは %(method)s で呼び出せません。")

# Pydantic's error types, as the API words them.
VALIDATION_MESSAGES = {
    "string_type": MUST_BE_STRING,
    "bool_type": MUST_BE_BOOLEAN,
    "missing": REQUIRED,
}


class InvalidParameter(Exception):
    """The request cannot be read: 400 before any service is called."""

    def __init__(self, description):
        self.description = description
        super().__init__(str(description))


def method_not_allowed(request, allowed: str):
    description = METHOD_NOT_ALLOWED % {"method": request.method}
    return http.error_response(
        405, http.METHOD_NOT_ALLOWED, description, headers={"Allow": allowed}
    )


def validation_description(errors: list[dict]) -> str:
    """The first problem, naming the field as the API does (`partnerCode`, not `body.payload…`)."""
    first = errors[0] if errors else {}
    location = [part for part in first.get("loc", ()) if isinstance(part, str)]
    if len(location) <= 2 and location[:1] == ["body"]:  # the body itself is not an object
        return str(BODY_NOT_JSON_OBJECT)
    field = location[-1] if location else "request"
    message = VALIDATION_MESSAGES.get(first.get("type"), INVALID_VALUE)
    return message % {"field": field}


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every exception into the API's error shape."""

    @api.exception_handler(FlowError)
    def refused(request, exc: FlowError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return http.error_response(exc.status, exc.code, exc.message, headers=headers)

    @api.exception_handler(InsufficientScope)
    def insufficient_scope(request, exc: InsufficientScope):
        challenge = f'{AUTH_REALM}, error="insufficient_scope", scope="{exc.needed}"'
        return http.error_response(
            exc.status, exc.code, exc.message, headers={"WWW-Authenticate": challenge}
        )

    @api.exception_handler(InvalidParameter)
    def invalid_parameter(request, exc: InvalidParameter):
        return http.error_response(400, http.INVALID_PARAMETER, exc.description)

    @api.exception_handler(ValidationError)
    def invalid_request(request, exc: ValidationError):
        description = validation_description(exc.errors)
        return http.error_response(400, http.INVALID_PARAMETER, description)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc: AuthenticationError):
        if isinstance(exc, InvalidToken):
            challenge, description = f'{AUTH_REALM}, error="invalid_token"', TOKEN_INVALID
        else:
            challenge, description = AUTH_REALM, TOKEN_MISSING
        return http.error_response(
            401, http.UNAUTHORIZED, description, headers={"WWW-Authenticate": challenge}
        )

    @api.exception_handler(HttpError)
    def unreadable(request, exc: HttpError):  # Ninja's own: a body that is not JSON
        if exc.status_code == 400:
            return http.error_response(400, http.INVALID_PARAMETER, BODY_NOT_JSON_OBJECT)
        return http.error_response(exc.status_code, http.INVALID_PARAMETER, str(exc))

    @api.exception_handler(SuspiciousOperation)
    def bad_request(request, exc):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE: Django's 400
        return http.error_response(400, http.INVALID_PARAMETER, http.BAD_REQUEST)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return http.error_response(403, http.FORBIDDEN, FORBIDDEN)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return http.error_response(404, http.NOT_FOUND, http.NO_SUCH_RESOURCE)

    @api.exception_handler(Exception)
    def crashed(request, exc):
        if is_cache_outage(exc):  # Ninja catches it before core's middleware could
            return http.service_unavailable(request, retry_after=RETRY_AFTER_SECONDS)
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        return http.error_response(500, http.INTERNAL_SERVER_ERROR, http.SERVER_ERROR)
