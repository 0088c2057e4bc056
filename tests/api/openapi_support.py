"""Reading the served OpenAPI document: which responses it documents and their schemas."""

import json

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from api.main import api

JSON = "application/json"
DOCUMENT_URI = "urn:worksadmin:openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOCUMENT_URL = "/api/v1/openapi.json"
CUSTOMER_PATH = "/api/v1/partners/potential-customers/{domain}"
TRANSFER_PATH = "/api/v1/partners/potential-customers/{domain}/transfer"
CUSTOMERS_PATH = "/api/v1/partners/customers"
ONE_CUSTOMER_PATH = "/api/v1/partners/customers/{domainId}"
SUBSCRIPTION_PATH = "/api/v1/partners/customers/{domainId}/subscription"
TOKEN_PATH = "/oauth2/v2.0/token"
FORM = "application/x-www-form-urlencoded"
SANDBOX_CUSTOMERS_PATH = "/api/v1/sandbox/customers"
SANDBOX_CUSTOMER_PATH = "/api/v1/sandbox/customers/{domain}"
SANDBOX_RESET_PATH = "/api/v1/sandbox/customers/{domain}/reset"
SANDBOX_EXPIRE_PATH = "/api/v1/sandbox/customers/{domain}/expire-code"
SANDBOX_LAPSE_PATH = "/api/v1/sandbox/customers/{domain}/lapse-code"
WEBHOOKS_PATH = "/api/v1/partners/webhooks"
WEBHOOK_PATH = "/api/v1/partners/webhooks/{webhookId}"
DELIVERIES_PATH = "/api/v1/partners/webhooks/{webhookId}/deliveries"
REDELIVER_PATH = "/api/v1/partners/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"


def openapi_document() -> dict:
    """The document as the code generates it, read back as JSON."""
    return json.loads(json.dumps(api.get_openapi_schema()))


def documented_responses(document: dict) -> list[tuple[str, str, str]]:
    """Every (path, method, status) the document describes."""
    return [
        (path, method, status)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        for status in operation["responses"]
    ]


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def validator(document: dict, *parts: str) -> Draft202012Validator:
    """A validator for the schema at `parts` inside the document, its $refs resolved there."""
    registry = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(document))
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{_pointer(*parts)}"}, registry=registry)


def response_validator(document, path, method, status) -> Draft202012Validator:
    return validator(
        document, "paths", path, method, "responses", status, "content", JSON, "schema"
    )


def request_validator(document, path, method, content_type=JSON) -> Draft202012Validator:
    return validator(
        document, "paths", path, method, "requestBody", "content", content_type, "schema"
    )


def _integer_parameters(item: dict) -> set[str]:
    """The path parameters that a path's operations declare as integers (routed only for
    digits)."""
    return {
        parameter["name"]
        for operation in item.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer"
    }


def _matches(part: str, segment: str, integers: set[str]) -> bool:
    if not part.startswith("{"):
        return part == segment
    return bool(segment) and (
        part[1:-1] not in integers or (segment.isascii() and segment.isdigit())
    )


def operation_of(document: dict, url_path: str, method: str) -> tuple[str, dict] | None:
    """The documented path template and operation that `url_path` and `method` call, if any."""
    segments = url_path.split("/")
    for template, item in document["paths"].items():
        parts = template.split("/")
        integers = _integer_parameters(item)
        if len(parts) == len(segments) and all(
            _matches(part, segment, integers) for part, segment in zip(parts, segments, strict=True)
        ):
            operation = item.get(method.lower())
            return (template, operation) if operation else (template, {})
    return None


def check_response(document: dict, path: str, method: str, response) -> None:
    """The response's status is documented for the operation, its body matches that status's
    schema, and the headers documented as required are there."""
    responses = document["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{method.upper()} {path} answered an undocumented {status}"
    documented = responses[status]
    if "content" not in documented:  # 204: no body, as documented
        assert response.content == b"", f"{method.upper()} {path} {status} has a body"
        return
    assert response["Content-Type"] == JSON
    body = response.json()
    errors = [
        e.message for e in response_validator(document, path, method, status).iter_errors(body)
    ]
    assert not errors, f"{method.upper()} {path} {status}: {errors} in {body}"
    for header, spec in documented.get("headers", {}).items():
        if spec.get("required"):
            assert response.has_header(header), f"{status} lacks its {header} header"
