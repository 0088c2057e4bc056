"""The token endpoint's request and response bodies. The view reads and writes them, and the
OpenAPI document describes the endpoint with the same models (it is a plain Django view at
/oauth2/v2.0/token, outside the NinjaAPI mounted at /api/v1/)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .oauth import JWT_BEARER, REFRESH_TOKEN

TOKEN_PATH = "/oauth2/v2.0/token"  # noqa: S105 - a URL, as the real API's
GrantType = Literal[JWT_BEARER, REFRESH_TOKEN]
OAuthErrorCode = Literal[
    "invalid_request", "invalid_client", "invalid_grant", "invalid_scope", "unsupported_grant_type"
]


class TokenRequest(BaseModel):
    """Form-encoded (`application/x-www-form-urlencoded`), each parameter once."""

    model_config = ConfigDict(extra="ignore", title="TokenRequest")

    grant_type: GrantType = Field(
        description="`urn:ietf:params:oauth:grant-type:jwt-bearer` to sign in with an "
        "assertion, `refresh_token` for a new access token."
    )
    client_id: str | None = Field(
        None, description="The app's Client ID (or HTTP Basic authentication instead)."
    )
    client_secret: str | None = Field(None, description="The app's Client Secret.")
    assertion: str | None = Field(
        None,
        description="jwt-bearer: a JWT signed RS256 with the app's private key; iss = Client "
        "ID, sub = Service Account, iat, exp at most 60 minutes after iat. Each one is good "
        "for one exchange.",
    )
    scope: str | None = Field(
        None,
        description="Space-separated, a subset of the app's: `partner`, `partner.read`. "
        "Omitted: all the app's scopes (refresh: the refresh token's).",
    )
    refresh_token: str | None = Field(None, description="refresh_token: the refresh token.")


class TokenResponse(BaseModel):
    model_config = ConfigDict(title="TokenResponse")

    access_token: str
    refresh_token: str | None = Field(None, description="jwt-bearer only; valid for 90 days.")
    token_type: Literal["Bearer"]
    expires_in: str = Field(
        pattern=r"^[0-9]+$",
        description="Seconds the access token is valid (86400), as a string like the real API.",
    )
    scope: str


class OAuthError(BaseModel):
    """RFC 6749 §5.2."""

    model_config = ConfigDict(title="OAuthError")

    error: OAuthErrorCode
    error_description: str


def _ref(model) -> dict:
    return {"$ref": f"#/components/schemas/{model.model_config['title']}"}


def _json(model, description: str, headers: dict | None = None) -> dict:
    content = {"application/json": {"schema": _ref(model)}}
    response = {"description": description, "content": content}
    if headers:
        response["headers"] = {
            name: {"description": text, "required": True, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return response


TOKEN_OPERATION = {
    "operationId": "issueToken",
    "tags": ["oauth"],
    "summary": "Get an access token (service account JWT, or refresh token)",
    "description": "RFC 7523 and RFC 6749, as LINE WORKS' Service Account authentication. "
    "Errors are RFC 6749 JSON (`error`, `error_description`), not the API's `code` shape.",
    "security": [],
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": _ref(TokenRequest)}},
    },
    "responses": {
        "200": _json(TokenResponse, "Issued.", {"Cache-Control": "no-store"}),
        "400": _json(
            OAuthError,
            "invalid_request (missing, repeated or malformed parameter; not form-encoded), "
            "unsupported_grant_type, invalid_grant (a wrong, expired, future-dated, replayed or "
            "wrongly signed assertion; a wrong or expired refresh token), invalid_scope.",
        ),
        "401": _json(
            OAuthError,
            "invalid_client: unknown client, wrong secret, revoked app.",
            {"WWW-Authenticate": "The Basic challenge for client authentication."},
        ),
        "405": _json(OAuthError, "Only POST.", {"Allow": "POST"}),
    },
}


def token_endpoint_document(schema: dict) -> None:
    """Add the token endpoint and its schemas to the API's OpenAPI document."""
    schema["paths"][TOKEN_PATH] = {"post": TOKEN_OPERATION}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (TokenRequest, TokenResponse, OAuthError):
        components[model.model_config["title"]] = model.model_json_schema()
