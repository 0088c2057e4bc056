"""The error responses the operations document, with what each one means.

Each operation documents only the statuses it can answer (the OpenAPI contract test calls
every one of them for real), so each picks its own from `ERROR_MEANINGS`.
"""

from .schemas import Error

ERROR_MEANINGS = {
    400: "The request cannot be read: a missing or malformed field, a body that is not a JSON "
    "object, an overlong domain.",
    401: "No bearer token, or a wrong, expired or revoked one (see WWW-Authenticate).",
    403: "The partner is inactive, or the token's scope does not allow this method (a "
    "`partner.read` token and a write; see WWW-Authenticate).",
    404: "A wrong domain/code pair (the same answer whether or not the group exists), or an "
    "unknown resource.",
    405: "The path exists, the method does not (see Allow).",
    409: "The code is expired, cancelled, already verified, or issued for another partner.",
    429: "Too many failed attempts by this staff member or from this address (see Retry-After).",
    500: "An unexpected error; nothing was changed.",
}
ALL = tuple(ERROR_MEANINGS)
# Reads of the partner's own data: nothing to conflict with, no attempt to rate-limit.
READS = (401, 403, 405, 500)
HEADERS = {
    401: {"WWW-Authenticate": "The bearer challenge."},
    405: {"Allow": "The methods the path takes."},
    429: {"Retry-After": "Seconds until attempts are allowed again."},
}


def meanings(statuses=ALL, **overrides: str) -> dict[int, str]:
    """What each of `statuses` means for an operation; `m404="…"` words one status its way."""
    return {status: overrides.get(f"m{status}", ERROR_MEANINGS[status]) for status in statuses}


def errors_of(meanings: dict[int, str]) -> dict:
    """Ninja's `response=` entries for an operation that documents `meanings`."""
    return {status: Error for status in meanings}


ERRORS = errors_of(ERROR_MEANINGS)


def documented(success: int, meaning: str, *, errors: dict[int, str] | None = None) -> dict:
    """`openapi_extra` for an operation: what each of its responses means (by default every
    one of ERROR_MEANINGS), and the headers the errors carry."""
    responses = {success: {"description": meaning}}
    for status, error_meaning in (ERROR_MEANINGS if errors is None else errors).items():
        response = {"description": error_meaning}
        if status in HEADERS:
            response["headers"] = {
                name: {"description": text, "required": True, "schema": {"type": "string"}}
                for name, text in HEADERS[status].items()
            }
        responses[status] = response
    return {"responses": responses}
