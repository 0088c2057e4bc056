"""Signing assertions and asking the token endpoint, as a partner's system would."""

import functools
import time
import uuid
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization

from api.oauth import JWT_BEARER
from api.services import AppCredentials

TOKEN_URL = "/oauth2/v2.0/token"
FORM = "application/x-www-form-urlencoded"


def sign(credentials: AppCredentials, *, key: str | None = None, algorithm="RS256", **claims):
    """An assertion of the app's service account, valid for an hour from now; `claims`
    override or add claims (None removes one). A `jti` keeps two assertions made in the same
    second apart (the same assertion twice is a replay)."""
    now = int(time.time())
    payload = {
        "iss": credentials.app.client_id,
        "sub": credentials.app.service_account,
        "iat": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, _private_key(key or credentials.private_key), algorithm=algorithm)


@functools.cache
def _private_key(pem: str):
    """Loading a PEM key checks it (tens of milliseconds); the tests sign with a few keys."""
    return serialization.load_pem_private_key(pem.encode(), password=None)


def token_request(client, credentials: AppCredentials, **params):
    """POST /oauth2/v2.0/token with the app's client ID and secret and `params` (form)."""
    form = {
        "client_id": credentials.app.client_id,
        "client_secret": credentials.client_secret,
        **params,
    }
    form = {name: value for name, value in form.items() if value is not None}
    return client.post(TOKEN_URL, urlencode(form), content_type=FORM)


def sign_in(client, credentials: AppCredentials, *, scope: str | None = None):
    """The jwt-bearer exchange: the token response's body (asserting it succeeded)."""
    response = token_request(
        client, credentials, grant_type=JWT_BEARER, assertion=sign(credentials), scope=scope
    )
    assert response.status_code == 200, response.content
    return response.json()
