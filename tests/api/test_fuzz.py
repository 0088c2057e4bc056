"""Generated bad requests: the API never answers 5xx, always answers documented JSON, and
never verifies (or writes anything but the token's last use and a failed attempt)."""

import json
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.services import api_app_create
from tests.factories import PartnerCodeFactory, PartnerContractFactory, WorksGroupFactory
from tests.support import AUDIT_EVENTS, TOKEN_LAST_USE, db_state, nothing_written

from .conftest import ApiClient
from .oauth_support import sign_in
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
domain_ids = st.one_of(st.integers(0, 50), st.integers(0, 10**40))
list_queries = st.fixed_dictionaries(
    {},
    optional={
        "count": st.one_of(st.integers(-5, 40).map(str), texts),
        "cursor": texts,
        "domain": st.one_of(st.just(KNOWN_DOMAIN), texts),
        "orderBy": st.one_of(st.sampled_from(["name asc", "name desc", "name"]), texts),
    },
)


@pytest.fixture
def known_code(staff):
    return PartnerCodeFactory(works_group=WorksGroupFactory(domain=KNOWN_DOMAIN))


@pytest.fixture
def oauth_tokens(client, staff, partner):
    """Access tokens of both scopes, and a customer of the partner to read."""
    PartnerContractFactory(code__verified_partner=partner, partner=partner)
    app = api_app_create(staff=staff, name="連携", scopes=["partner", "partner.read"])
    return {
        scope: sign_in(client, app, scope=scope)["access_token"]
        for scope in ("partner", "partner.read")
    }


def _authorization(draw, secret: str, oauth: dict[str, str]) -> dict:
    choice = draw(
        st.sampled_from(
            ["none", "valid", "oauth", "oauth-read", "bearer-garbage", "garbage", "lowercase"]
        )
    )
    value = {
        "none": None,
        "valid": f"Bearer {secret}",
        "oauth": f"Bearer {oauth['partner']}",
        "oauth-read": f"Bearer {oauth['partner.read']}",
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
                "/api/v1/partners/customers",
                f"/api/v1/partners/customers/{draw(domain_ids)}",
                f"/api/v1/partners/customers/{draw(domain_ids)}/subscription",
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
    client, token_and_secret, oauth_tokens, known_code, data
):
    api = ApiClient(client, None)
    draw = data.draw
    path = _path(draw)
    method = draw(methods)
    headers = _authorization(draw, token_and_secret[1], oauth_tokens)
    if path.endswith("/customers"):
        query = draw(list_queries)
    else:
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


sandbox_bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "productId": st.one_of(st.sampled_from(["FR", "STD", "ADV"]), json_values),
            "seats": st.one_of(st.integers(min_value=-5, max_value=10_005), json_values),
            "issueCode": st.one_of(st.booleans(), json_values),
        },
    ).map(json.dumps),
    json_values.map(json.dumps),
    st.binary(max_size=64),
    texts,
)


def _sandbox_path(draw) -> str:
    domain = quote(draw(domains), safe="")
    return draw(
        st.sampled_from(
            [
                "/api/v1/sandbox/customers",
                f"/api/v1/sandbox/customers/{domain}",
                f"/api/v1/sandbox/customers/{domain}/reset",
                f"/api/v1/sandbox/customers/{domain}/expire-code",
                f"/api/v1/sandbox/customers/{domain}/lapse-code",
            ]
        )
    )


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_sandbox_requests_never_get_a_5xx_and_refusals_write_nothing(
    client, token_and_secret, oauth_tokens, known_code, data
):
    """The sandbox's endpoints on generated paths, methods, tokens and bodies: documented
    JSON every time; a refusal changes nothing; only a well-formed create makes a customer."""
    api = ApiClient(client, None)
    draw = data.draw
    path = _sandbox_path(draw)
    method = draw(methods)
    headers = _authorization(draw, token_and_secret[1], oauth_tokens)
    body = draw(sandbox_bodies) if method != "GET" else ""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")

    before = db_state(ignore=(TOKEN_LAST_USE,))
    response = api.request(method, path, headers=headers, data=body, content_type=JSON)

    assert response.status_code < 500, response.content
    assert response["Content-Type"] == JSON
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "description"}
        assert db_state(ignore=(TOKEN_LAST_USE,)) == before
    else:
        assert (method, path, response.status_code) == ("POST", "/api/v1/sandbox/customers", 201)
    operation = operation_of(DOCUMENT, unquote(path), method)
    if operation and operation[1]:
        check_response(DOCUMENT, operation[0], method.lower(), response)
    elif operation:
        assert response.status_code == 405
    else:
        assert response.status_code == 404
