"""Generated bad requests: the API never answers 5xx, always answers documented JSON, and
never verifies (or writes anything but the token's last use and a failed attempt)."""

import json
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import PartnerCodeFactory, WorksGroupFactory
from tests.support import AUDIT_EVENTS, TOKEN_LAST_USE, nothing_written

from .conftest import ApiClient
from .openapi_support import JSON, check_response, openapi_document, operation_of

pytestmark = pytest.mark.django_db

DOCUMENT = openapi_document()
KNOWN_DOMAIN = "fuzz"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# Text a URL or a header could carry (lone surrogates cannot be percent-encoded).
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
domains = st.one_of(
    st.just(KNOWN_DOMAIN),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,24}", fullmatch=True),
    texts.filter(bool),
)
codes = st.one_of(
    st.text(CODE_ALPHABET, min_size=20, max_size=20),
    st.text(CODE_ALPHABET + "abc -", max_size=30),
    texts,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
transfer_bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "partnerCode": st.one_of(codes, json_values),
            "enablePartnerProfileDisplay": st.one_of(st.booleans(), json_values),
        },
    ).map(json.dumps),
    json_values.map(json.dumps),
    st.binary(max_size=64),
    texts,
)
methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])


@pytest.fixture
def known_code(staff):
    return PartnerCodeFactory(works_group=WorksGroupFactory(domain=KNOWN_DOMAIN))


def _authorization(draw, secret: str) -> dict:
    choice = draw(st.sampled_from(["none", "valid", "bearer-garbage", "garbage", "lowercase"]))
    value = {
        "none": None,
        "valid": f"Bearer {secret}",
        "lowercase": f"bearer {secret}",
        "bearer-garbage": "Bearer " + draw(texts),
        "garbage": draw(texts),
    }[choice]
    return {} if value is None else {"Authorization": value}


def _path(draw) -> str:
    domain = quote(draw(domains), safe="")
    return draw(
        st.sampled_from(
            [
                f"/api/v1/partners/potential-customers/{domain}",
                f"/api/v1/partners/potential-customers/{domain}/transfer",
                "/api/v1/partners/webhooks",
                f"/api/v1/partners/webhooks/{domain}",
                f"/api/v1/partners/webhooks/{domain}/deliveries",
                f"/api/v1/partners/webhooks/{domain}/deliveries/{domain}/redeliver",
                f"/api/v1/{domain}",
                f"/api/{domain}/{quote(draw(texts), safe='/')}",
            ]
        )
    )


@settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_requests_never_get_a_5xx_and_always_get_documented_json(
    client, token_and_secret, known_code, data
):
    api = ApiClient(client, None)
    draw = data.draw
    path = _path(draw)
    method = draw(methods)
    headers = _authorization(draw, token_and_secret[1])
    query = {"partnerCode": draw(codes)} if draw(st.booleans()) else {}
    body = draw(transfer_bodies) if method != "GET" else ""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    if query:
        path += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())

    with nothing_written(ignore=(TOKEN_LAST_USE, AUDIT_EVENTS)):
        response = api.request(method, path, headers=headers, data=body, content_type=JSON)

    assert response.status_code < 500, response.content
    assert response.status_code != 202  # a generated code never verifies the known one
    assert response["Content-Type"] == JSON
    error = response.json()
    if response.status_code >= 400:
        assert set(error) == {"code", "description"}
    # The server routes on the decoded path: a domain holding "%2F" is no domain.
    operation = operation_of(DOCUMENT, unquote(path.split("?")[0]), method)
    if operation and operation[1]:
        check_response(DOCUMENT, operation[0], method.lower(), response)
    elif operation:
        assert response.status_code == 405
    else:
        assert response.status_code == 404
