"""POST /oauth2/v2.0/token: the token endpoint, as LINE WORKS' (RFC 6749, RFC 7523).

A plain Django view: form-encoded in, JSON out, every refusal an RFC 6749 error. The client
secret, the assertion and the refresh token are sensitive parameters (hidden from error
reports) and nothing here logs a request's parameters or headers.
"""

import base64
import binascii
from urllib.parse import unquote

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from pydantic import ValidationError

from .. import oauth
from ..oauth import OAuthError, invalid_request
from ..token_schemas import OAuthError as OAuthErrorBody
from ..token_schemas import TokenRequest, TokenResponse

FORM = "application/x-www-form-urlencoded"
BASIC_REALM = 'Basic realm="worksadmin"'
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


def _error(exc: OAuthError, *, headers: dict | None = None) -> JsonResponse:
    body = OAuthErrorBody(error=exc.error, error_description=exc.description)
    response = JsonResponse(body.model_dump(), status=exc.status, headers={**NO_STORE})
    if exc.status == 401:
        response["WWW-Authenticate"] = BASIC_REALM
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@sensitive_variables("params", "client_secret")
def _read(request) -> tuple[TokenRequest, str, str]:
    """The request's parameters and the client's credentials, from the form or from HTTP
    Basic (RFC 6749 §2.3.1: not both)."""
    if request.content_type != FORM:
        raise invalid_request(f"The request must be {FORM}.")
    try:
        fields = list(request.POST.lists())
    except SuspiciousOperation as exc:  # over DATA_UPLOAD_MAX_MEMORY_SIZE or too many fields
        raise invalid_request("The request is too large.") from exc
    if any(len(values) > 1 for _name, values in fields):
        raise invalid_request("Each parameter may be sent only once.")
    params = {name: values[0] for name, values in fields}
    if not params.get("grant_type"):
        raise invalid_request("grant_type is required.")
    try:
        form = TokenRequest.model_validate(params)
    except ValidationError as exc:
        raise OAuthError("unsupported_grant_type", "Unknown grant_type.") from exc
    client_id, client_secret = form.client_id or "", form.client_secret or ""
    basic = _basic_credentials(request)
    if basic is not None:
        if client_id or client_secret:
            raise invalid_request("Authenticate the client with one method, not two.")
        client_id, client_secret = basic
    return form, client_id, client_secret


@sensitive_variables("header", "decoded")
def _basic_credentials(request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise oauth.invalid_client("Malformed HTTP Basic credentials.") from exc
    client_id, colon, client_secret = decoded.partition(":")
    if not colon:
        raise oauth.invalid_client("Malformed HTTP Basic credentials.")
    return unquote(client_id), unquote(client_secret)


@csrf_exempt  # a client's own request, authenticated by its credentials, never by a cookie
@sensitive_post_parameters("client_secret", "assertion", "refresh_token")
@sensitive_variables("form", "client_secret", "issued")
def token(request):
    if request.method != "POST":
        refusal = OAuthError("invalid_request", "Use POST.", status=405)
        return _error(refusal, headers={"Allow": "POST"})
    try:
        form, client_id, client_secret = _read(request)
        if form.grant_type == oauth.JWT_BEARER:
            issued = oauth.oauth_token_issue(
                client_id=client_id,
                client_secret=client_secret,
                assertion=form.assertion,
                scope=form.scope,
            )
        else:
            issued = oauth.oauth_token_refresh(
                client_id=client_id,
                client_secret=client_secret,
                refresh_token=form.refresh_token,
                scope=form.scope,
            )
    except OAuthError as exc:
        return _error(exc)
    body = TokenResponse(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        token_type=oauth.TOKEN_TYPE,
        expires_in=str(issued.expires_in),
        scope=issued.scope,
    )
    return JsonResponse(body.model_dump(exclude_none=True), headers=NO_STORE)
