"""POST /oauth2/v2.0/token: a service account's JWT for tokens, a refresh token for a new access
token, and an RFC 6749 error for everything else."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import jwt
import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import AccessToken, RefreshToken, UsedAssertion
from api.oauth import JWT_BEARER, PRUNED_KEY
from api.services import (
    api_app_create,
    api_app_key_regenerate,
    api_app_revoke,
    api_app_secret_regenerate,
)
from partners.tokens import token_digest
from tests.support import nothing_written

from .oauth_support import FORM, TOKEN_URL, sign, sign_in, token_request

pytestmark = pytest.mark.django_db


def _exchange(client, app, **params):
    return token_request(client, app, **{"grant_type": JWT_BEARER, **params})


def _error(response) -> tuple[int, str]:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error_description"].isascii()  # RFC 6749 §5.2
    return response.status_code, body["error"]


# -- jwt-bearer: the happy path -----------------------------------------------------------


def test_a_signed_assertion_gets_an_access_and_a_refresh_token(client, app_credentials):
    response = _exchange(client, app_credentials, assertion=sign(app_credentials))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "86400"  # a string, as the LINE WORKS API sends it
    assert body["scope"] == "partner partner.read"  # no scope asked: all the app's
    assert body["access_token"].startswith("at_")
    assert body["refresh_token"].startswith("rt_")


def test_the_tokens_are_stored_as_hashes_only(client, app_credentials):
    body = sign_in(client, app_credentials)

    access = AccessToken.objects.get()
    refresh = RefreshToken.objects.get()
    assert access.token_hash == token_digest(body["access_token"])
    assert refresh.token_hash == token_digest(body["refresh_token"])
    stored = json.dumps(
        list(AccessToken.objects.values()) + list(RefreshToken.objects.values()), default=str
    )
    assert body["access_token"] not in stored
    assert body["refresh_token"] not in stored


def test_the_access_token_lives_24_hours_and_the_refresh_token_90_days(client, app_credentials):
    before = timezone.now()
    sign_in(client, app_credentials)

    access, refresh = AccessToken.objects.get(), RefreshToken.objects.get()
    assert timedelta(hours=24) <= access.expires_at - before < timedelta(hours=24, seconds=5)
    assert timedelta(days=90) <= refresh.expires_at - before < timedelta(days=90, seconds=5)


@pytest.mark.parametrize(
    ("scope", "granted"),
    [
        ("partner.read", "partner.read"),
        ("partner", "partner"),
        ("partner.read partner", "partner partner.read"),
        ("  partner   partner ", "partner"),
    ],
)
def test_the_token_has_the_scopes_asked_for(client, app_credentials, scope, granted):
    body = sign_in(client, app_credentials, scope=scope)

    assert body["scope"] == granted
    assert AccessToken.objects.get().scopes == granted.split()


def test_http_basic_client_authentication_works_too(client, app_credentials):
    app = app_credentials.app
    basic = base64.b64encode(f"{app.client_id}:{app_credentials.client_secret}".encode()).decode()
    form = f"grant_type={JWT_BEARER}&assertion={sign(app_credentials)}"

    response = client.post(
        TOKEN_URL, form, content_type=FORM, headers={"Authorization": f"Basic {basic}"}
    )

    assert response.status_code == 200


def test_a_float_iat_as_time_time_gives_is_accepted(client, app_credentials):
    now = time.time()
    assertion = sign(app_credentials, iat=now, exp=now + 600)

    assert _exchange(client, app_credentials, assertion=assertion).status_code == 200


# -- jwt-bearer: refused assertions are invalid_grant -------------------------------------


def _none_signed(app_credentials) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=")
    claims = jwt.decode(sign(app_credentials), options={"verify_signature": False})
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    return f"{header.decode()}.{payload.decode()}."


def _hs256_with_public_key(app_credentials) -> str:
    """The classic confusion attack: HMAC "signed" with the public key as the secret."""
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    claims = jwt.decode(sign(app_credentials), options={"verify_signature": False})
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    key = app_credentials.app.public_key_pem.encode()
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _tampered(app_credentials) -> str:
    header, payload, signature = sign(app_credentials).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["exp"] += 3600
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _other_key(app_credentials) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return sign(app_credentials, key=pem.decode())


NOW = int(time.time())
REFUSED_ASSERTIONS = {
    "alg none": _none_signed,
    "HS256 signed with the public key": _hs256_with_public_key,
    "tampered claims": _tampered,
    "signed with another key": _other_key,
    "RS512": lambda a: sign(a, algorithm="RS512"),
    "expired": lambda a: sign(a, iat=NOW - 7200, exp=NOW - 3600),
    "iat in the future": lambda a: sign(a, iat=NOW + 600, exp=NOW + 1200),
    "lifetime over an hour": lambda a: sign(a, iat=NOW, exp=NOW + 3601),
    "exp before iat": lambda a: sign(a, iat=NOW, exp=NOW - 1),
    "iat as a string": lambda a: sign(a, iat=str(NOW)),
    "wrong iss": lambda a: sign(a, iss="someone-else"),
    "wrong sub": lambda a: sign(a, sub="other.serviceaccount"),
    "no sub": lambda a: sign(a, sub=None),
    "no exp": lambda a: sign(a, exp=None),
    "not a JWT": lambda a: "not.a.jwt",
    "garbage": lambda a: "x" * 20_000,
}


@pytest.mark.parametrize("kind", REFUSED_ASSERTIONS)
def test_a_bad_assertion_is_invalid_grant_and_issues_nothing(client, app_credentials, kind):
    assertion = REFUSED_ASSERTIONS[kind](app_credentials)

    with nothing_written():
        response = _exchange(client, app_credentials, assertion=assertion)

    assert _error(response) == (400, "invalid_grant")


def test_an_assertion_is_good_for_one_exchange_only(client, app_credentials):
    assertion = sign(app_credentials)
    assert _exchange(client, app_credentials, assertion=assertion).status_code == 200

    replay = _exchange(client, app_credentials, assertion=assertion)

    assert _error(replay) == (400, "invalid_grant")
    assert "already been used" in replay.json()["error_description"]
    assert AccessToken.objects.count() == 1


def test_spent_assertions_are_forgotten_once_they_have_expired(client, app_credentials):
    old = sign(app_credentials)
    assert _exchange(client, app_credentials, assertion=old).status_code == 200
    UsedAssertion.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    cache.delete(PRUNED_KEY)  # a minute later

    sign_in(client, app_credentials)

    assert UsedAssertion.objects.count() == 1  # the new one; the expired one was pruned


def test_after_a_key_regeneration_only_the_new_key_signs_in(client, app_credentials, staff):
    old_assertion = sign(app_credentials)
    renewed = api_app_key_regenerate(app=app_credentials.app, by=staff)
    renewed_credentials = type(app_credentials)(
        app=renewed.app,
        client_secret=app_credentials.client_secret,
        private_key=renewed.private_key,
    )

    assert _error(_exchange(client, app_credentials, assertion=old_assertion))[1] == "invalid_grant"
    assert sign_in(client, renewed_credentials)["access_token"]


# -- client authentication: invalid_client, 401 -------------------------------------------


def test_a_wrong_secret_is_invalid_client(client, app_credentials):
    response = _exchange(
        client, app_credentials, client_secret="wrong", assertion=sign(app_credentials)
    )

    assert _error(response) == (401, "invalid_client")
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("client_id", ["unknown-client", "x" * 500])
def test_an_unknown_client_is_invalid_client(client, app_credentials, client_id):
    response = _exchange(
        client, app_credentials, client_id=client_id, assertion=sign(app_credentials)
    )

    assert _error(response) == (401, "invalid_client")


def test_a_regenerated_secret_replaces_the_old_one(client, app_credentials, staff):
    renewed = api_app_secret_regenerate(app=app_credentials.app, by=staff)

    old = _exchange(client, app_credentials, assertion=sign(app_credentials))
    new = _exchange(
        client,
        app_credentials,
        client_secret=renewed.client_secret,
        assertion=sign(app_credentials),
    )

    assert _error(old) == (401, "invalid_client")
    assert new.status_code == 200


def test_a_revoked_app_signs_in_no_more(client, app_credentials, staff):
    api_app_revoke(app=app_credentials.app, by=staff)

    response = _exchange(client, app_credentials, assertion=sign(app_credentials))

    assert _error(response) == (401, "invalid_client")


def test_an_app_whose_staff_member_left_signs_in_no_more(client, app_credentials, staff):
    staff.is_active = False
    staff.save()

    response = _exchange(client, app_credentials, assertion=sign(app_credentials))

    assert _error(response) == (401, "invalid_client")


# -- malformed requests -------------------------------------------------------------------


def test_an_unknown_grant_type_is_unsupported_grant_type(client, app_credentials):
    response = token_request(client, app_credentials, grant_type="client_credentials")

    assert _error(response) == (400, "unsupported_grant_type")


@pytest.mark.parametrize(
    "params",
    [
        {},  # no grant_type
        {"grant_type": JWT_BEARER},  # no assertion
        {"grant_type": JWT_BEARER, "assertion": "a", "client_secret": None},  # no secret
        {"grant_type": "refresh_token"},  # no refresh_token
    ],
)
def test_a_missing_parameter_is_invalid_request(client, app_credentials, params):
    assert _error(token_request(client, app_credentials, **params)) == (400, "invalid_request")


def test_a_repeated_parameter_is_invalid_request(client, app_credentials):
    app = app_credentials.app
    form = (
        f"grant_type={JWT_BEARER}&client_id={app.client_id}&client_id={app.client_id}"
        f"&client_secret={app_credentials.client_secret}&assertion={sign(app_credentials)}"
    )

    response = client.post(TOKEN_URL, form, content_type=FORM)

    assert _error(response) == (400, "invalid_request")


def test_a_json_body_is_invalid_request(client, app_credentials):
    body = {"grant_type": JWT_BEARER, "assertion": sign(app_credentials)}

    response = client.post(TOKEN_URL, body, content_type="application/json")

    assert _error(response) == (400, "invalid_request")


def test_two_client_authentication_methods_at_once_are_invalid_request(client, app_credentials):
    app = app_credentials.app
    basic = base64.b64encode(f"{app.client_id}:{app_credentials.client_secret}".encode()).decode()
    form = (
        f"grant_type={JWT_BEARER}&client_id={app.client_id}"
        f"&client_secret={app_credentials.client_secret}&assertion={sign(app_credentials)}"
    )

    response = client.post(
        TOKEN_URL, form, content_type=FORM, headers={"Authorization": f"Basic {basic}"}
    )

    assert _error(response) == (400, "invalid_request")


@pytest.mark.parametrize("scope", ["admin", "partner bot"])
def test_an_unknown_scope_is_invalid_scope(client, app_credentials, scope):
    response = _exchange(client, app_credentials, assertion=sign(app_credentials), scope=scope)

    assert _error(response) == (400, "invalid_scope")


def test_a_scope_the_app_may_not_have_is_invalid_scope(client, staff):
    reader = api_app_create(staff=staff, name="参照専用", scopes=["partner.read"])

    response = _exchange(client, reader, assertion=sign(reader), scope="partner")

    assert _error(response) == (400, "invalid_scope")


def test_get_is_405_with_allow(client):
    response = client.get(TOKEN_URL)

    assert _error(response) == (405, "invalid_request")
    assert response["Allow"] == "POST"


# -- refresh_token ------------------------------------------------------------------------


def test_a_refresh_token_gets_a_new_access_token_with_the_same_scopes(client, app_credentials):
    first = sign_in(client, app_credentials, scope="partner.read")

    response = token_request(
        client, app_credentials, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["scope"] == "partner.read"
    assert body["access_token"] != first["access_token"]
    assert AccessToken.objects.count() == 2


def test_a_refresh_cannot_widen_the_scopes(client, app_credentials):
    first = sign_in(client, app_credentials, scope="partner.read")

    response = token_request(
        client,
        app_credentials,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        scope="partner",
    )

    assert _error(response) == (400, "invalid_scope")


def test_an_expired_refresh_token_is_invalid_grant(client, app_credentials):
    first = sign_in(client, app_credentials)
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = token_request(
        client, app_credentials, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )

    assert _error(response) == (400, "invalid_grant")


def test_another_apps_refresh_token_is_invalid_grant(client, app_credentials, staff):
    other = api_app_create(staff=staff, name="別のアプリ", scopes=["partner"])
    theirs = sign_in(client, other)["refresh_token"]

    response = token_request(
        client, app_credentials, grant_type="refresh_token", refresh_token=theirs
    )

    assert _error(response) == (400, "invalid_grant")


def test_expired_tokens_are_pruned_when_new_ones_are_issued(client, app_credentials):
    sign_in(client, app_credentials)
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    cache.delete(PRUNED_KEY)  # a minute later

    fresh = sign_in(client, app_credentials)

    assert list(AccessToken.objects.values_list("token_hash", flat=True)) == [
        token_digest(fresh["access_token"])
    ]
    assert RefreshToken.objects.count() == 1


def test_pruning_waits_a_minute_after_the_last(client, app_credentials):
    """Housekeeping, not security: an expired token authenticates nothing before it is pruned
    (tests/api/test_scopes.py), so sign-ins prune at most once a minute."""
    sign_in(client, app_credentials)
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    sign_in(client, app_credentials)

    assert AccessToken.objects.count() == 2  # the expired one stays until the minute is up


def test_with_the_cache_down_sign_in_works_and_prunes(client, app_credentials, monkeypatch):
    """The once-a-minute mark lives in the cache; without it, pruning is simply not skipped."""

    def refused(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    sign_in(client, app_credentials)
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(cache, "add", refused)

    fresh = sign_in(client, app_credentials)

    assert list(AccessToken.objects.values_list("token_hash", flat=True)) == [
        token_digest(fresh["access_token"])
    ]


def test_a_sign_in_is_five_statements_after_the_minute_s_pruning(client, app_credentials):
    """The client's row, then the spent assertion, the refresh and access tokens and the
    audit event, in one transaction; pruning happens at most once a minute."""
    sign_in(client, app_credentials)  # this minute's pruning

    with CaptureQueriesContext(connection) as queries:
        sign_in(client, app_credentials)

    statements = [
        query["sql"].split()[0]
        for query in queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN"))
    ]
    assert statements == ["SELECT", "INSERT", "INSERT", "INSERT", "INSERT"]
