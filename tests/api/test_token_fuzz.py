"""Generated requests to the token endpoint: never a 5xx, always RFC 6749 JSON, never a token
and never a row written."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.oauth import JWT_BEARER
from tests.support import nothing_written

from .oauth_support import FORM, TOKEN_URL, sign

pytestmark = pytest.mark.django_db

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
ERRORS = {"invalid_request", "invalid_client", "invalid_grant", "invalid_scope"}


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_token_requests_get_rfc_6749_errors_and_nothing_else(
    client, app_credentials, data
):
    draw = data.draw
    app = app_credentials.app
    right = {
        "grant_type": st.sampled_from([JWT_BEARER, "refresh_token"]),
        "client_id": st.just(app.client_id),
        "client_secret": st.just(app_credentials.client_secret),
        "scope": st.sampled_from(["partner", "partner.read", ""]),
    }
    params = {
        name: draw(st.one_of(strategy, texts))
        for name, strategy in right.items()
        if draw(st.booleans())
    }
    signed = sign(app_credentials)
    params["assertion"] = draw(
        st.one_of(
            texts,
            st.just(signed[:-3] + "abc"),  # a broken signature
            st.just(".".join(signed.split(".")[:2]) + "."),  # no signature
            st.just("a.b.c"),
        )
    )
    if draw(st.booleans()):
        params["refresh_token"] = draw(texts)
    body = "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in params.items())
    content_type = draw(st.sampled_from([FORM, "application/json", "text/plain"]))
    method = draw(st.sampled_from(["POST", "POST", "GET", "PUT"]))

    with nothing_written():
        response = client.generic(method, TOKEN_URL, body.encode(), content_type=content_type)

    assert response.status_code in (400, 401, 405), response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] in ERRORS | {"unsupported_grant_type"}
    assert body["error_description"].isascii()
