"""The OpenAPI 3.1 description of the partner API, served at /api/v1/openapi.json.

Error codes are read from the refusal classes the endpoints raise and from api.py's own
constants, so the document lists exactly the codes the implementation can answer with;
tests/api/test_openapi_contract.py checks every documented response against real ones.
"""

from django.views.decorators.csrf import csrf_exempt

from core import http

from . import api, errors

JSON = "application/json"
SERVER_URL = "/api/v1"
CUSTOMER_PATH = "/partners/potential-customers/{domain}"
TRANSFER_PATH = "/partners/potential-customers/{domain}/transfer"
OPENAPI_PATH = "/openapi.json"


def _refusal_codes(status: int) -> list[str]:
    """The codes of the verbs' refusals that answer with `status`."""
    refusals = [
        *errors.VerificationFailed.__subclasses__(),
        errors.PartnerInactive,
        errors.RateLimited,
    ]
    return sorted({refusal.code for refusal in refusals if refusal.status == status})


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str, codes: list[str], headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {
            JSON: {
                "schema": {
                    "allOf": [_ref("Error")],
                    "properties": {"code": {"enum": codes}},
                }
            }
        },
    }
    if headers:
        response["headers"] = headers
    return response


def _header(description: str, schema: dict) -> dict:
    return {"description": description, "required": True, "schema": schema}


def _error_responses() -> dict:
    """The failures every authenticated endpoint shares, by status."""
    return {
        "400": _error(
            "The request cannot be read: a missing or malformed partnerCode (20 characters "
            "from A–Z and 2–9 without I and O; case, spaces and hyphens are ignored), a domain "
            "longer than 64 characters, or, for a POST, a body that is not a JSON object or "
            "a field of the wrong type. Refused before any check, so it never counts against "
            "the rate limit.",
            sorted({http.INVALID_PARAMETER, *_refusal_codes(400)}),
        ),
        "401": _error(
            "No bearer token, or one that is wrong or revoked.",
            [http.UNAUTHORIZED],
            {"WWW-Authenticate": _header("The bearer challenge.", {"type": "string"})},
        ),
        "403": _error("The token's partner may not verify codes at present.", _refusal_codes(403)),
        "404": _error(
            "No code of that works group matches. The same answer whether or not the group exists.",
            _refusal_codes(404),
        ),
        "405": _error(
            "The endpoint does not take this method.",
            [http.METHOD_NOT_ALLOWED],
            {"Allow": _header("The method the endpoint takes.", {"type": "string"})},
        ),
        "409": _error(
            "The pair is right but the code cannot be verified: it expired, was cancelled or "
            "re-issued, was already verified by a partner, or was issued for another partner.",
            _refusal_codes(409),
        ),
        "429": _error(
            "Too many failed attempts by this token's staff member or from this address.",
            _refusal_codes(429),
            {
                "Retry-After": _header(
                    "Seconds until attempts are accepted again.", {"type": "integer", "minimum": 1}
                )
            },
        ),
        "500": _error("An unexpected error; nothing was changed.", [http.INTERNAL_SERVER_ERROR]),
    }


def _domain_parameter() -> dict:
    return {
        "name": "domain",
        "in": "path",
        "required": True,
        "description": "ドメイン又はグループ名 of the customer's works group, e.g. `mizl`.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 64},
    }


def _paths() -> dict:
    return {
        CUSTOMER_PATH: {
            "get": {
                "operationId": "getPotentialCustomer",
                "summary": "Check a customer's partner code and preview the customer",
                "description": (
                    "What the partner console's 顧客の取り込み shows before confirming. Writes "
                    "nothing but a failed attempt, which counts against the rate limit."
                ),
                "parameters": [
                    _domain_parameter(),
                    {
                        "name": "partnerCode",
                        "in": "query",
                        "required": True,
                        "description": "The partner code the customer issued.",
                        "schema": {"type": "string", "maxLength": 64},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The pair is right and the code can be verified.",
                        "content": {JSON: {"schema": _ref("PotentialCustomer")}},
                    },
                    **_error_responses(),
                },
            }
        },
        TRANSFER_PATH: {
            "post": {
                "operationId": "transferPotentialCustomer",
                "summary": "Verify a customer's partner code",
                "description": (
                    "Confirming 顧客の取り込み: the first partner to verify a code wins and the "
                    "code can never be used again. The customer's super admin is e-mailed to "
                    "approve the switch in the admin console."
                ),
                "parameters": [_domain_parameter()],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": _ref("TransferRequest")}},
                },
                "responses": {
                    "202": {
                        "description": "Verified; the customer's approval is pending.",
                        "content": {JSON: {"schema": _ref("TransferAccepted")}},
                    },
                    **_error_responses(),
                },
            }
        },
        OPENAPI_PATH: {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {JSON: {"schema": {"type": "object", "required": ["openapi"]}}},
                    },
                    "405": _error_responses()["405"],
                },
            }
        },
    }


def _schemas() -> dict:
    return {
        "Error": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs."},
                "description": {"type": "string", "description": "For people (Japanese)."},
            },
            "additionalProperties": False,
        },
        "PotentialCustomer": {
            "type": "object",
            "required": ["tenantId", "domainId", "domain", "productId", "notHandledApps"],
            "properties": {
                "tenantId": {"type": "integer"},
                "domainId": {"type": "integer"},
                "domain": {"type": "string"},
                "productId": {
                    "type": "string",
                    "enum": sorted(api.PRODUCT_IDS.values()),
                    "description": "The current plan: FR (free), STD (standard), ADV (advanced).",
                },
                "notHandledApps": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Apps the customer uses that the partner does not handle.",
                },
            },
            "additionalProperties": False,
        },
        "TransferRequest": {
            "type": "object",
            "required": ["partnerCode", "enablePartnerProfileDisplay"],
            "properties": {
                "partnerCode": {"type": "string", "maxLength": 64},
                "enablePartnerProfileDisplay": {
                    "type": "boolean",
                    "description": "Show the partner's profile to the customer.",
                },
            },
        },
        "TransferAccepted": {
            "type": "object",
            "required": ["domain", "status"],
            "properties": {
                "domain": {"type": "string"},
                "status": {"const": "VERIFIED"},
            },
            "additionalProperties": False,
        },
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "worksadmin partner API",
            "version": "1.0.0",
            "description": (
                "The partner console's code verification, by program, shaped like the LINE "
                "WORKS Partner API. Create a token on /partner/tokens/ or with "
                "`manage.py create_api_token <staff-email>`; every call acts as the staff "
                "member who created it and is audited as theirs. Every answer is JSON; an "
                "unknown path under /api/ is a 404 with an Error body."
            ),
        },
        "servers": [{"url": SERVER_URL}],
        "security": [{"bearerAuth": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "wa_…"}
            },
            "schemas": _schemas(),
        },
    }


@csrf_exempt
def openapi_json(request):
    """GET /api/v1/openapi.json — public, so a partner can read it before holding a token."""
    if request.method != "GET":
        return api.method_not_allowed(request, "GET")
    return api.json_response(openapi_document())
