"""The partner API's one NinjaAPI: its routers, its error handlers, its OpenAPI document at
/api/v1/openapi.json and its interactive reference at /api/v1/docs (our own static files)."""

import json

from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from . import errors, potential_customers, webhook_endpoints
from .auth import BearerToken

DESCRIPTION = (
    "The partner console's 顧客の取り込み and its webhooks by program, shaped like the LINE WORKS "
    "Partner API. "
    'Every call carries `Authorization: Bearer <token>`; every error is `{"code", '
    '"description"}` JSON.'
)


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


api = PartnerAPI(
    title="worksadmin partner API",
    version="1.0.0",
    description=DESCRIPTION,
    auth=BearerToken(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=ObjectParser(),
    renderer=Utf8JSONRenderer(),
)
errors.install(api)
api.add_router("", potential_customers.router)
api.add_router("", webhook_endpoints.router)
