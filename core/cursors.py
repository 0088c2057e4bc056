"""Opaque cursors for keyset pagination: the last row's sort key, signed so that a client can
only hand back what it was given (a forged or truncated cursor reads as invalid)."""

from django.core import signing


def cursor_encode(position: dict, *, salt: str) -> str:
    return signing.dumps(position, salt=salt, compress=True)


def cursor_decode(cursor: str, *, salt: str) -> dict | None:
    """The position `cursor_encode` was given, or None for anything it did not make."""
    try:
        position = signing.loads(cursor, salt=salt)
    except (signing.BadSignature, ValueError):
        return None
    return position if isinstance(position, dict) else None
