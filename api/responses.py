"""The error responses every authenticated operation documents, with what each one means."""

from .schemas import Error

ERROR_MEANINGS = {
    400: "The request cannot be read: a missing or malformed field, a body that is not a JSON "
    "object, an overlong domain.",
    401: "No bearer token, or a wrong or revoked one (see WWW-Authenticate).",
    403: "The partner may not do this (inactive partner).",
    404: "A wrong domain/code pair (the same answer whether or not the group exists), or an "
    "unknown resource.",
    405: "The path exists, the method does not (see Allow).",
    409: "The code is expired, cancelled, already verified, or issued for another partner.",
    429: "Too many failed attempts by this staff member or from this address (see Retry-After).",
    500: "An unexpected error; nothing was changed.",
}
ERRORS = {status: Error for status in ERROR_MEANINGS}
HEADERS = {
    401: {"WWW-Authenticate": "The bearer challenge."},
    405: {"Allow": "The methods the path takes."},
    429: {"Retry-After": "Seconds until attempts are allowed again."},
}


def errors_of(meanings: dict[int, str]) -> dict:
    """The `response` entries of an operation that answers only some of the errors."""
    return {status: Error for status in meanings}


def documented(success: int, meaning: str, errors: dict[int, str] | None = None) -> dict:
    """`openapi_extra` for an operation: what each of its responses means (`errors`: its own
    error statuses and meanings, if not all of ERROR_MEANINGS), and the headers the errors
    carry."""
    responses = {success: {"description": meaning}}
    for status, error_meaning in (errors or ERROR_MEANINGS).items():
        response = {"description": error_meaning}
        if status in HEADERS:
            response["headers"] = {
                name: {"description": text, "required": True, "schema": {"type": "string"}}
                for name, text in HEADERS[status].items()
            }
        responses[status] = response
    return {"responses": responses}
