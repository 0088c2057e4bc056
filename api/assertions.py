"""Checking a service account's JWT assertion (RFC 7523 §3), with PyJWT.

PyJWT checks the signature against the app's public key, with RS256 as the only algorithm
accepted (so `alg: none`, HS256 "signed" with the public key, RS512 and the like never get
as far as a key), that iss/sub/iat/exp are present, and that `iss` is the client ID. We check
the rest against our own clock, read once per request: `sub` is the app's service account,
`iat` and `exp` are NumericDates (numbers, not strings), `exp` is after `iat` and at most 60
minutes later, `iat` is not in the future and `exp` not in the past (each with a small
leeway for clock skew).
"""

import math
from datetime import UTC, datetime

import jwt

from .credentials import public_key_load
from .models import ApiApp

ALGORITHMS = ["RS256"]  # fixed: never taken from the token's own header
MAX_LIFETIME_SECONDS = 60 * 60  # 「exp は iat から最大 60 分後」
LEEWAY_SECONDS = 30  # clock skew tolerated on iat and exp
MAX_ASSERTION_LENGTH = 8192  # an RS256 JWT with these claims is under 1,000 characters
REQUIRED_CLAIMS = ["iss", "sub", "iat", "exp"]


class InvalidAssertion(Exception):
    """Why the assertion was refused, in words for the developer (the `error_description`)."""


def assertion_verify(*, app: ApiApp, assertion: str, now: datetime) -> dict:
    """The assertion's claims if `app` signed it and it is valid at `now`; InvalidAssertion
    otherwise."""
    if len(assertion) > MAX_ASSERTION_LENGTH:
        raise InvalidAssertion("The assertion is too long.")
    try:
        claims = jwt.decode(
            assertion,
            public_key_load(app.public_key_pem),
            algorithms=ALGORITHMS,
            issuer=app.client_id,
            options={
                "require": REQUIRED_CLAIMS,
                # Times are checked below, against the request's clock.
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidIssuerError as exc:
        raise InvalidAssertion("The assertion's iss is not the client ID.") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidAssertion(f"The assertion has no {exc.claim} claim.") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise InvalidAssertion("The assertion must be signed with RS256.") from exc
    except jwt.InvalidSignatureError as exc:
        raise InvalidAssertion("The assertion's signature does not match the app's key.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidAssertion("The assertion is not a valid JWT.") from exc
    if claims["sub"] != app.service_account:
        raise InvalidAssertion("The assertion's sub is not the app's service account.")
    _check_times(claims, now)
    return claims


def _check_times(claims: dict, now: datetime) -> None:
    issued, expires = claims["iat"], claims["exp"]
    if not all(_is_numeric_date(value) for value in (issued, expires)):
        raise InvalidAssertion("iat and exp must be NumericDates: seconds since the epoch.")
    if not 0 < expires - issued <= MAX_LIFETIME_SECONDS:
        raise InvalidAssertion("exp must be after iat and at most 60 minutes later.")
    current = now.timestamp()
    if issued > current + LEEWAY_SECONDS:
        raise InvalidAssertion("The assertion's iat is in the future.")
    if expires <= current - LEEWAY_SECONDS:
        raise InvalidAssertion("The assertion has expired.")


def _is_numeric_date(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def assertion_expiry(claims: dict) -> datetime:
    """Until when a replay of this assertion must be refused (after that, it has expired)."""
    return datetime.fromtimestamp(claims["exp"] + LEEWAY_SECONDS, tz=UTC)
