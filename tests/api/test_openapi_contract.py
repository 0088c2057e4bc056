"""The OpenAPI document at /api/v1/openapi.json against the real API, response by response."""

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern
from jsonschema import Draft202012Validator

from api import urls as api_urls
from api import webhook_endpoints as webhook_router
from partners import services
from tests.factories import (
    PartnerCodeFactory,
    PartnerFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from webhooks import selectors as webhook_selectors
from webhooks import services as webhook_services

from .conftest import ApiClient, transfer_body
from .openapi_support import (
    CUSTOMER_PATH,
    DELIVERIES_PATH,
    DOCUMENT_URL,
    REDELIVER_PATH,
    TRANSFER_PATH,
    WEBHOOK_PATH,
    WEBHOOKS_PATH,
    check_response,
    documented_responses,
    openapi_document,
    request_validator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client):
    """The document as a client reads it."""
    response = client.get(DOCUMENT_URL)
    assert response.status_code == 200
    return response.json()


class World:
    """One customer's open code, an API client with a token of ABC 株式会社, and the ways a
    scenario bends them."""

    def __init__(self, *, api, token, code, settings, monkeypatch):
        self.api, self.token, self.code = api, token, code
        self.settings, self.monkeypatch = settings, monkeypatch
        self.domain = code.works_group.domain

    def url(self, path: str) -> str:
        return path.format(
            domain=self.domain,
            webhookId=self.webhook.pk,
            deliveryId=self.delivery.pk,
        )

    @property
    def webhook(self):
        if not hasattr(self, "_webhook"):
            self._webhook = WebhookEndpointFactory(partner=self.token.partner)
        return self._webhook

    @property
    def delivery(self):
        if not hasattr(self, "_delivery"):
            self._delivery = WebhookDeliveryFactory(endpoint=self.webhook, status="FAILED")
        return self._delivery

    def call(self, method: str, path: str, body=None, *, api: ApiClient | None = None, **query):
        data = {} if body is None else {"data": json.dumps(body)}
        if query:
            path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
        return (api or self.api).request(
            method, self.url(path), content_type="application/json", **data
        )

    def other_partners(self, path: str):
        """The same call about another partner's webhook: not found, as if it did not exist."""
        self._webhook = WebhookEndpointFactory()
        self._delivery = WebhookDeliveryFactory(endpoint=self._webhook)
        return self

    def at_the_limit(self) -> "World":
        self.settings.WEBHOOK_MAX_ENDPOINTS = 1
        assert self.webhook
        return self

    def webhook_off(self) -> "World":
        self.webhook.is_active, self.webhook.disabled_reason = False, "STAFF"
        self.webhook.save()
        return self

    def get(self, code: str | None = None, *, api: ApiClient | None = None):
        return (api or self.api).preview(self.domain, code or self.code.code)

    def post(self, body=None, *, api: ApiClient | None = None):
        return (api or self.api).transfer(self.domain, body or transfer_body(self.code))

    def without_token(self) -> ApiClient:
        return ApiClient(self.api.client, None)

    def with_bug_in(self, verb: str, module=services) -> ApiClient:
        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        self.monkeypatch.setattr(module, verb, broken)
        return ApiClient(Client(raise_request_exception=False), self.api.secret)

    def partner_deactivated(self) -> "World":
        self.token.partner.is_active = False
        self.token.partner.save()
        return self

    def code_bound_to_another_partner(self) -> "World":
        self.code.intended_partner = PartnerFactory(name="XYZ 株式会社")
        self.code.save()
        return self

    def rate_limited(self) -> "World":
        self.settings.VERIFY_RATE_LIMIT = 1
        self.api.preview("no-such-group", self.code.code)
        return self

    def verified(self) -> "World":
        assert self.post().status_code == 202
        return self


SCENARIOS = {
    (CUSTOMER_PATH, "get", "200"): lambda w: w.get(),
    (CUSTOMER_PATH, "get", "400"): lambda w: w.get("not-a-code"),
    (CUSTOMER_PATH, "get", "401"): lambda w: w.get(api=w.without_token()),
    (CUSTOMER_PATH, "get", "403"): lambda w: w.partner_deactivated().get(),
    (CUSTOMER_PATH, "get", "404"): lambda w: w.get(PartnerCodeFactory().code),
    (CUSTOMER_PATH, "get", "405"): lambda w: w.api.request("PUT", w.url(CUSTOMER_PATH)),
    (CUSTOMER_PATH, "get", "409"): lambda w: w.code_bound_to_another_partner().get(),
    (CUSTOMER_PATH, "get", "429"): lambda w: w.rate_limited().get(),
    (CUSTOMER_PATH, "get", "500"): lambda w: w.get(api=w.with_bug_in("code_preview")),
    (TRANSFER_PATH, "post", "202"): lambda w: w.post(),
    (TRANSFER_PATH, "post", "400"): lambda w: w.post("[1, 2"),
    (TRANSFER_PATH, "post", "401"): lambda w: w.post(api=w.without_token()),
    (TRANSFER_PATH, "post", "403"): lambda w: w.partner_deactivated().post(),
    (TRANSFER_PATH, "post", "404"): lambda w: w.post(transfer_body(PartnerCodeFactory())),
    (TRANSFER_PATH, "post", "405"): lambda w: w.api.request("GET", w.url(TRANSFER_PATH)),
    (TRANSFER_PATH, "post", "409"): lambda w: w.verified().post(),
    (TRANSFER_PATH, "post", "429"): lambda w: w.rate_limited().post(),
    (TRANSFER_PATH, "post", "500"): lambda w: w.post(api=w.with_bug_in("code_verify")),
    (WEBHOOKS_PATH, "get", "200"): lambda w: w.call("GET", WEBHOOKS_PATH),
    (WEBHOOKS_PATH, "get", "401"): lambda w: w.call("GET", WEBHOOKS_PATH, api=w.without_token()),
    (WEBHOOKS_PATH, "get", "405"): lambda w: w.call("PUT", WEBHOOKS_PATH),
    (WEBHOOKS_PATH, "get", "500"): lambda w: w.call(
        "GET", WEBHOOKS_PATH, api=w.with_bug_in("webhook_endpoint_list", webhook_selectors)
    ),
    (WEBHOOKS_PATH, "post", "201"): lambda w: w.call("POST", WEBHOOKS_PATH, NEW_WEBHOOK),
    (WEBHOOKS_PATH, "post", "400"): lambda w: w.call(
        "POST", WEBHOOKS_PATH, {**NEW_WEBHOOK, "url": "http://hooks.partner.example/"}
    ),
    (WEBHOOKS_PATH, "post", "401"): lambda w: w.call(
        "POST", WEBHOOKS_PATH, NEW_WEBHOOK, api=w.without_token()
    ),
    (WEBHOOKS_PATH, "post", "405"): lambda w: w.call("DELETE", WEBHOOKS_PATH),
    (WEBHOOKS_PATH, "post", "409"): lambda w: w.at_the_limit().call(
        "POST", WEBHOOKS_PATH, NEW_WEBHOOK
    ),
    (WEBHOOKS_PATH, "post", "500"): lambda w: w.call(
        "POST",
        WEBHOOKS_PATH,
        NEW_WEBHOOK,
        api=w.with_bug_in("webhook_endpoint_create", webhook_services),
    ),
    (WEBHOOK_PATH, "get", "200"): lambda w: w.call("GET", WEBHOOK_PATH),
    (WEBHOOK_PATH, "get", "401"): lambda w: w.call("GET", WEBHOOK_PATH, api=w.without_token()),
    (WEBHOOK_PATH, "get", "404"): lambda w: w.other_partners(WEBHOOK_PATH).call(
        "GET", WEBHOOK_PATH
    ),
    (WEBHOOK_PATH, "get", "405"): lambda w: w.call("POST", WEBHOOK_PATH),
    (WEBHOOK_PATH, "get", "500"): lambda w: w.call(
        "GET", WEBHOOK_PATH, api=w.with_bug_in("get_object_or_404", webhook_router)
    ),
    (WEBHOOK_PATH, "patch", "200"): lambda w: w.call(
        "PATCH", WEBHOOK_PATH, {"active": False, "rotateSecret": True}
    ),
    (WEBHOOK_PATH, "patch", "400"): lambda w: w.call("PATCH", WEBHOOK_PATH, {"events": []}),
    (WEBHOOK_PATH, "patch", "401"): lambda w: w.call(
        "PATCH", WEBHOOK_PATH, {}, api=w.without_token()
    ),
    (WEBHOOK_PATH, "patch", "404"): lambda w: w.other_partners(WEBHOOK_PATH).call(
        "PATCH", WEBHOOK_PATH, {"active": False}
    ),
    (WEBHOOK_PATH, "patch", "405"): lambda w: w.call("PUT", WEBHOOK_PATH),
    (WEBHOOK_PATH, "patch", "500"): lambda w: w.call(
        "PATCH",
        WEBHOOK_PATH,
        {"active": False},
        api=w.with_bug_in("webhook_endpoint_update", webhook_services),
    ),
    (WEBHOOK_PATH, "delete", "204"): lambda w: w.call("DELETE", WEBHOOK_PATH),
    (WEBHOOK_PATH, "delete", "401"): lambda w: w.call(
        "DELETE", WEBHOOK_PATH, api=w.without_token()
    ),
    (WEBHOOK_PATH, "delete", "404"): lambda w: w.other_partners(WEBHOOK_PATH).call(
        "DELETE", WEBHOOK_PATH
    ),
    (WEBHOOK_PATH, "delete", "405"): lambda w: w.call("PUT", WEBHOOK_PATH),
    (WEBHOOK_PATH, "delete", "500"): lambda w: w.call(
        "DELETE", WEBHOOK_PATH, api=w.with_bug_in("webhook_endpoint_delete", webhook_services)
    ),
    (DELIVERIES_PATH, "get", "200"): lambda w: w.delivery and w.call("GET", DELIVERIES_PATH),
    (DELIVERIES_PATH, "get", "400"): lambda w: w.call("GET", DELIVERIES_PATH, cursor="abc"),
    (DELIVERIES_PATH, "get", "401"): lambda w: w.call(
        "GET", DELIVERIES_PATH, api=w.without_token()
    ),
    (DELIVERIES_PATH, "get", "404"): lambda w: w.other_partners(DELIVERIES_PATH).call(
        "GET", DELIVERIES_PATH
    ),
    (DELIVERIES_PATH, "get", "405"): lambda w: w.call("POST", DELIVERIES_PATH),
    (DELIVERIES_PATH, "get", "500"): lambda w: w.call(
        "GET", DELIVERIES_PATH, api=w.with_bug_in("webhook_delivery_list", webhook_selectors)
    ),
    (REDELIVER_PATH, "post", "202"): lambda w: w.call("POST", REDELIVER_PATH),
    (REDELIVER_PATH, "post", "401"): lambda w: w.call(
        "POST", REDELIVER_PATH, api=w.without_token()
    ),
    (REDELIVER_PATH, "post", "404"): lambda w: w.other_partners(REDELIVER_PATH).call(
        "POST", REDELIVER_PATH
    ),
    (REDELIVER_PATH, "post", "405"): lambda w: w.call("GET", REDELIVER_PATH),
    (REDELIVER_PATH, "post", "409"): lambda w: w.webhook_off().call("POST", REDELIVER_PATH),
    (REDELIVER_PATH, "post", "500"): lambda w: w.call(
        "POST",
        REDELIVER_PATH,
        api=w.with_bug_in("webhook_delivery_redeliver", webhook_services),
    ),
}


NEW_WEBHOOK = {"url": "https://hooks.partner.example/worksadmin", "events": ["code.verified"]}


@pytest.fixture
def world(api, api_token, code, settings, monkeypatch):
    return World(api=api, token=api_token, code=code, settings=settings, monkeypatch=monkeypatch)


def test_the_served_document_is_openapi_3_1_built_in_code(document):
    assert document["openapi"] == "3.1.0"
    assert document == openapi_document()


def test_every_component_schema_is_a_valid_json_schema(document):
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_documented_response_has_a_scenario_below_and_nothing_else(document):
    assert set(documented_responses(document)) == set(SCENARIOS)


def test_every_api_route_is_documented_and_every_documented_path_routed(document):
    not_operations = {"openapi-json", "openapi-view", "api-root"}
    routes = {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in api_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name not in not_operations
    }

    assert routes == set(document["paths"])


@pytest.mark.parametrize(
    ("path", "method", "status"), documented_responses(openapi_document()), ids="-".join
)
def test_documented_response_matches_a_real_one(document, world, path, method, status):
    response = SCENARIOS[path, method, status](world)

    assert str(response.status_code) == status
    check_response(document, path, method, response)


def test_the_documented_request_body_is_the_one_the_api_accepts(document, world):
    body = transfer_body(world.code)

    assert not list(request_validator(document, TRANSFER_PATH, "post").iter_errors(body))
    assert world.post(body).status_code == 202


def test_the_endpoints_need_a_bearer_token_but_the_document_does_not(client, document):
    schemes = document["components"]["securitySchemes"]
    assert {scheme["scheme"] for scheme in schemes.values()} == {"bearer"}
    for path, method, _status in documented_responses(document):
        assert document["paths"][path][method]["security"] == [{name: []} for name in schemes]
    assert client.get(DOCUMENT_URL).status_code == 200  # no token


def test_the_contract_check_notices_a_response_the_document_does_not_describe(document, world):
    """Guard against a vacuous contract test: a schema the API does not meet must fail."""
    schemas = document["components"]["schemas"]
    schemas["PotentialCustomer"]["required"].append("companyName")

    with pytest.raises(AssertionError, match="companyName"):
        check_response(document, CUSTOMER_PATH, "get", world.get())
    with pytest.raises(AssertionError, match="undocumented 418"):
        check_response(document, CUSTOMER_PATH, "get", _Teapot())


class _Teapot:
    status_code = 418
