"""The partner API's one NinjaAPI: its routers, its error handlers, its OpenAPI document at
/api/v1/openapi.json and its interactive reference at /api/v1/docs (our own static files)."""

import json

from django.conf import settings
from ninja import NinjaAPI, Swagger
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from . import customers, errors, potential_customers, sandbox, webhook_endpoints
from .auth import BearerToken
from .token_schemas import token_endpoint_document

DESCRIPTION = (
    "The partner console's 顧客の取り込み, customer list and webhooks by program, shaped like "
    "the LINE WORKS Partner API. Sign in as an app's service account at "
    "`POST /oauth2/v2.0/token` (a JWT signed RS256 with the app's private key) or use a "
    "personal API token; every call carries `Authorization: Bearer <token>`; every error is "
    '`{"code", "description"}` JSON (the token endpoint\'s are RFC 6749\'s `{"error", '
    '"error_description"}`).'
)
# Swagger UI from our own static files ("ninja" is an installed app), with no online validator
# badge: nothing on the page may load from another origin (the CSP would block it anyway).
DOCS = Swagger(settings={"validatorUrl": None, "persistAuthorization": False})


class ObjectParser(Parser):
    """Request bodies are JSON objects; anything else is refused before validation (an array or
    a string would otherwise read as an object missing every field)."""

    def parse_body(self, request):
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise ValueError("the body is not a JSON object")
        return body


class Utf8JSONRenderer(JSONRenderer):
    """Japanese as it is, not \\u-escaped, like every other JSON answer of ours."""

    json_dumps_params = {"ensure_ascii": False}


class PartnerAPI(NinjaAPI):
    def get_content_type(self) -> str:
        return "application/json"  # as our error answers (JSON is UTF-8 by definition)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's document of the operations, plus the token endpoint (a plain view); with
        SANDBOX off, without the sandbox's paths and schemas."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        token_endpoint_document(schema)
        if not settings.SANDBOX:
            schema["paths"] = {
                path: item for path, item in schema["paths"].items() if "/sandbox/" not in path
            }
            components = schema.get("components", {}).get("schemas", {})
            for name in [name for name in components if name.startswith("Sandbox")]:
                del components[name]
        return schema


api = PartnerAPI(
    title="worksadmin partner API",
    version="1.0.0",
    description=DESCRIPTION,
    auth=BearerToken(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=DOCS,
    parser=ObjectParser(),
    renderer=Utf8JSONRenderer(),
)
errors.install(api)
api.add_router("", potential_customers.router)
api.add_router("", customers.router)
api.add_router("", sandbox.router)
api.add_router("", webhook_endpoints.router)
