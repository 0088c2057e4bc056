"""The partner JSON API: 顧客の取り込み by program, shaped like the LINE WORKS Partner API.

Every call carries `Authorization: Bearer <token>` and acts as the staff member who created
the token. Input is parsed with the page's own form and the checks are the page's service
verbs, so the page and the API cannot disagree; this module only translates HTTP to those
verbs and their refusals (`errors.FlowError`) to `{"code", "description"}` responses.
Nothing under /api/ answers with an HTML page: see the error handlers in `core.views`.
"""

import json
from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Plan
from core.http import (
    INVALID_PARAMETER,
    METHOD_NOT_ALLOWED,
    UNAUTHORIZED,
    error_response,
    json_response,
)
from core.ratelimit import client_ip

from . import errors, services
from .forms import CustomerImportForm
from .tokens import api_token_authenticate

AUTH_REALM = 'Bearer realm="worksadmin"'
PRODUCT_IDS = {Plan.FREE: "FR", Plan.STANDARD: "STD", Plan.ADVANCED: "ADV"}
# The page's form fields under the names the API uses for them.
FIELD_NAMES = {"domain": "domain", "code": "partnerCode"}


TOKEN_MISSING = _("Authorization ヘッダーに Bearer トークンを指定してください。")
TOKEN_INVALID = _("APIトークンが正しくないか、無効化されています。")
BODY_NOT_JSON_OBJECT = _("リクエストボディはJSONオブジェクトで指定してください。")
MUST_BE_STRING = _("%(field)s は文字列で指定してください。")
MUST_BE_BOOLEAN = _("%(field)s は true または false で指定してください。")
METHOD_NOT_ALLOWED_MESSAGE = _("このAPIは %(method)s で呼び出せません。")


class InvalidParameter(Exception):
    """The request cannot be read: 400 before any service is called."""

    def __init__(self, description):
        self.description = description
        super().__init__(str(description))


def method_not_allowed(request, allowed: str) -> JsonResponse:
    return error_response(
        405,
        METHOD_NOT_ALLOWED,
        METHOD_NOT_ALLOWED_MESSAGE % {"method": request.method},
        headers={"Allow": allowed},
    )


def flow_error_response(exc: errors.FlowError) -> JsonResponse:
    if isinstance(exc, errors.RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
        return error_response(exc.status, exc.code, exc.message, headers=headers)
    return error_response(exc.status, exc.code, exc.message)


def _bearer_token(request) -> str | None:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def api_endpoint(method: str):
    """One method per endpoint, bearer-token auth, and refusals as JSON.

    The view is called as `view(request, token, ...)`; there are no cookies, so no CSRF.
    """

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != method:
                return method_not_allowed(request, method)
            raw = _bearer_token(request)
            if raw is None:
                return error_response(
                    401, UNAUTHORIZED, TOKEN_MISSING, headers={"WWW-Authenticate": AUTH_REALM}
                )
            token = api_token_authenticate(raw)
            if token is None:
                return error_response(
                    401,
                    UNAUTHORIZED,
                    TOKEN_INVALID,
                    headers={"WWW-Authenticate": f'{AUTH_REALM}, error="invalid_token"'},
                )
            try:
                return view(request, token, *args, **kwargs)
            except InvalidParameter as exc:
                return error_response(400, INVALID_PARAMETER, exc.description)
            except errors.FlowError as exc:
                return flow_error_response(exc)

        return wrapper

    return decorator


def _customer_pair(*, domain: str, raw_code) -> tuple[str, str]:
    """The pair as the page's form reads it: 400 for what the page would reject as input."""
    if not isinstance(raw_code, str):
        raise InvalidParameter(MUST_BE_STRING % {"field": "partnerCode"})
    form = CustomerImportForm({"domain": domain, "code": raw_code})
    if not form.is_valid():
        raise InvalidParameter(
            " ".join(
                f"{FIELD_NAMES.get(field, field)}: {message}"
                for field, messages in form.errors.items()
                for message in messages
            )
        )
    return form.cleaned_data["domain"], form.cleaned_data["code"]


def _json_object(request) -> dict:
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError) as exc:
        raise InvalidParameter(BODY_NOT_JSON_OBJECT) from exc
    if not isinstance(body, dict):
        raise InvalidParameter(BODY_NOT_JSON_OBJECT)
    return body


def _attempt(request, token, *, domain: str, raw_code: str) -> dict:
    return {
        "partner": token.partner,
        "staff": token.created_by,
        "domain": domain,
        "raw_code": raw_code,
        "client_ip": client_ip(request),
    }


@api_endpoint("GET")
def potential_customer(request, token, domain):
    """GET /partners/potential-customers/{domain}?partnerCode=… — the 確認 of the page."""
    domain, code = _customer_pair(domain=domain, raw_code=request.GET.get("partnerCode", ""))
    preview = services.code_preview(**_attempt(request, token, domain=domain, raw_code=code))
    group = preview.code.works_group
    return json_response(
        {
            "tenantId": group.pk,
            "domainId": group.pk,
            "domain": preview.domain,
            "productId": PRODUCT_IDS[preview.plan],
            "notHandledApps": preview.not_handled_apps,
        }
    )


@api_endpoint("POST")
def transfer(request, token, domain):
    """POST /partners/potential-customers/{domain}/transfer — the 取り込む of the page."""
    body = _json_object(request)
    domain, code = _customer_pair(domain=domain, raw_code=body.get("partnerCode"))
    show_profile = body.get("enablePartnerProfileDisplay")
    if not isinstance(show_profile, bool):
        raise InvalidParameter(MUST_BE_BOOLEAN % {"field": "enablePartnerProfileDisplay"})
    verified = services.code_verify(
        **_attempt(request, token, domain=domain, raw_code=code), show_profile=show_profile
    )
    return json_response(
        {"domain": verified.works_group.domain, "status": verified.status}, status=202
    )
