"""The OpenAPI document at /api/v1/openapi.json against the real API, response by response."""

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern
from jsonschema import Draft202012Validator

from api import urls as api_urls
from api import webhook_endpoints as webhook_router
from api.oauth import JWT_BEARER
from partners import customer_contracts, services
from sandbox import services as sandbox_services
from sandbox.models import SandboxCustomer
from sandbox.services import Via
from tests.factories import (
    PartnerCodeFactory,
    PartnerContractFactory,
    PartnerFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from tests.partners.flow import verify
from webhooks import selectors as webhook_selectors
from webhooks import services as webhook_services

from .conftest import ApiClient, transfer_body
from .oauth_support import sign, token_request
from .openapi_support import (
    CUSTOMER_PATH,
    CUSTOMERS_PATH,
    DELIVERIES_PATH,
    DOCUMENT_URL,
    FORM,
    ONE_CUSTOMER_PATH,
    REDELIVER_PATH,
    SANDBOX_CUSTOMER_PATH,
    SANDBOX_CUSTOMERS_PATH,
    SANDBOX_EXPIRE_PATH,
    SANDBOX_LAPSE_PATH,
    SANDBOX_RESET_PATH,
    SUBSCRIPTION_PATH,
    TOKEN_PATH,
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
    """One customer's open code, a customer that switched to ABC 株式会社, an API client with
    a token of ABC 株式会社, one of its apps, and the ways a scenario bends them."""

    def __init__(self, *, api, token, code, contract, app, settings, monkeypatch):
        self.api, self.token, self.code, self.contract = api, token, code, contract
        self.app = app
        self.settings, self.monkeypatch = settings, monkeypatch
        self.domain = code.works_group.domain

    def url(self, path: str) -> str:
        ids = {"domain": self.domain, "domainId": self.contract.works_group_id}
        if "{webhookId}" in path:  # made only for the webhook scenarios that need them
            ids["webhookId"] = self.webhook.pk
        if "{deliveryId}" in path:
            ids["deliveryId"] = self.delivery.pk
        return path.format(**ids)

    def read(self, path: str, query: dict | None = None, *, api: ApiClient | None = None):
        return (api or self.api).get(self.url(path), query)

    def another_partners_customer(self) -> str:
        other = PartnerContractFactory()
        return path_for(ONE_CUSTOMER_PATH, other.works_group_id)

    def sign_in(self, **params):
        params = {"grant_type": JWT_BEARER, "assertion": sign(self.app), **params}
        return token_request(self.api.client, self.app, **params)

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

        if verb.startswith("sandbox_"):
            module = sandbox_services
        self.monkeypatch.setattr(module, verb, broken)
        return ApiClient(Client(raise_request_exception=False), self.api.secret)

    # The sandbox: a sandbox customer of the token's partner, in the state a scenario needs.

    def sandbox(
        self, *, issue_code: bool = True, verified: bool = False, then_deactivated: bool = False
    ) -> str:
        staff = self.token.created_by
        created = sandbox_services.sandbox_customer_create(
            partner=staff.partner, by=staff, issue_code=issue_code, via=Via.API
        )
        if verified:
            verify(staff, code=created.code, now=None)
        if then_deactivated:
            self.partner_deactivated()
        return created.customer.works_group.domain

    def sandbox_unflagged(self) -> str:
        """A sandbox customer an operator took out of the sandbox."""
        domain = self.sandbox()
        group = SandboxCustomer.objects.get(works_group__domain=domain).works_group
        group.is_sandbox = False
        group.save(update_fields=["is_sandbox"])
        return domain

    def sandbox_call(self, method: str, path: str, domain: str = "", body=None, *, api=None):
        url = path.format(domain=domain)
        data = "" if body is None else json.dumps(body)
        return (api or self.api).request(method, url, data=data, content_type="application/json")

    def at_the_sandbox_limit(self) -> "World":
        self.settings.SANDBOX_CUSTOMER_LIMIT = 0
        return self

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


def _sandbox_scenarios(path, method, verb, conflict, success) -> dict:
    """The documented answers of an endpoint on one sandbox customer of the token's partner."""
    conflicts = {
        "sandbox_unflagged": lambda w: w.sandbox_unflagged(),
        "no_code": lambda w: w.sandbox(issue_code=False),
        "not_verified": lambda w: w.sandbox(),
    }
    verified = path == SANDBOX_LAPSE_PATH
    scenarios = {
        success: lambda w: w.sandbox_call(method, path, w.sandbox(verified=verified)),
        "401": lambda w: w.sandbox_call(method, path, w.sandbox(), api=w.without_token()),
        "403": lambda w: w.sandbox_call(method, path, w.sandbox(then_deactivated=True)),
        "404": lambda w: w.sandbox_call(method, path, w.domain),  # a tenant, not theirs
        "405": lambda w: w.sandbox_call("PUT", path, w.sandbox()),
        "500": lambda w: w.sandbox_call(method, path, w.sandbox(), api=w.with_bug_in(verb)),
    }
    if conflict:
        scenarios["409"] = lambda w: w.sandbox_call(method, path, conflicts[conflict](w))
    return scenarios


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
    (CUSTOMERS_PATH, "get", "200"): lambda w: w.read(CUSTOMERS_PATH, {"count": 1}),
    (CUSTOMERS_PATH, "get", "400"): lambda w: w.read(CUSTOMERS_PATH, {"cursor": "forged"}),
    (CUSTOMERS_PATH, "get", "401"): lambda w: w.read(CUSTOMERS_PATH, api=w.without_token()),
    (CUSTOMERS_PATH, "get", "403"): lambda w: w.partner_deactivated().read(CUSTOMERS_PATH),
    (CUSTOMERS_PATH, "get", "405"): lambda w: w.api.request("POST", CUSTOMERS_PATH),
    (CUSTOMERS_PATH, "get", "500"): lambda w: w.read(
        CUSTOMERS_PATH, api=w.with_bug_in("customer_contract_list", customer_contracts)
    ),
    (ONE_CUSTOMER_PATH, "get", "200"): lambda w: w.read(ONE_CUSTOMER_PATH),
    (ONE_CUSTOMER_PATH, "get", "401"): lambda w: w.read(ONE_CUSTOMER_PATH, api=w.without_token()),
    (ONE_CUSTOMER_PATH, "get", "403"): lambda w: w.partner_deactivated().read(ONE_CUSTOMER_PATH),
    (ONE_CUSTOMER_PATH, "get", "404"): lambda w: w.api.get(w.another_partners_customer()),
    (ONE_CUSTOMER_PATH, "get", "405"): lambda w: w.api.request("DELETE", w.url(ONE_CUSTOMER_PATH)),
    (ONE_CUSTOMER_PATH, "get", "500"): lambda w: w.read(
        ONE_CUSTOMER_PATH, api=w.with_bug_in("customer_get", customer_contracts)
    ),
    (SUBSCRIPTION_PATH, "get", "200"): lambda w: w.read(SUBSCRIPTION_PATH),
    (SUBSCRIPTION_PATH, "get", "401"): lambda w: w.read(SUBSCRIPTION_PATH, api=w.without_token()),
    (SUBSCRIPTION_PATH, "get", "403"): lambda w: w.partner_deactivated().read(SUBSCRIPTION_PATH),
    (SUBSCRIPTION_PATH, "get", "404"): lambda w: w.api.get(
        w.another_partners_customer() + "/subscription"
    ),
    (SUBSCRIPTION_PATH, "get", "405"): lambda w: w.api.request("PUT", w.url(SUBSCRIPTION_PATH)),
    (SUBSCRIPTION_PATH, "get", "500"): lambda w: w.read(
        SUBSCRIPTION_PATH, api=w.with_bug_in("customer_contract_get", customer_contracts)
    ),
    (TOKEN_PATH, "post", "200"): lambda w: w.sign_in(),
    (TOKEN_PATH, "post", "400"): lambda w: w.sign_in(assertion=sign(w.app, exp=1)),
    (TOKEN_PATH, "post", "401"): lambda w: w.sign_in(client_secret="wrong"),
    (TOKEN_PATH, "post", "405"): lambda w: w.api.client.get(TOKEN_PATH),
    **{
        (SANDBOX_CUSTOMERS_PATH, "post", status): scenario
        for status, scenario in {
            "201": lambda w: w.sandbox_call("POST", SANDBOX_CUSTOMERS_PATH),
            "400": lambda w: w.sandbox_call("POST", SANDBOX_CUSTOMERS_PATH, body={"seats": 0}),
            "401": lambda w: w.sandbox_call("POST", SANDBOX_CUSTOMERS_PATH, api=w.without_token()),
            "403": lambda w: w.partner_deactivated().sandbox_call("POST", SANDBOX_CUSTOMERS_PATH),
            "405": lambda w: w.sandbox_call("GET", SANDBOX_CUSTOMERS_PATH),
            "409": lambda w: w.at_the_sandbox_limit().sandbox_call("POST", SANDBOX_CUSTOMERS_PATH),
            "500": lambda w: w.sandbox_call(
                "POST", SANDBOX_CUSTOMERS_PATH, api=w.with_bug_in("sandbox_customer_create")
            ),
        }.items()
    },
    **{
        (path, method.lower(), status): scenario
        for path, method, verb, conflict, success in [
            (SANDBOX_RESET_PATH, "POST", "sandbox_tenant_reset", "sandbox_unflagged", "200"),
            (SANDBOX_EXPIRE_PATH, "POST", "sandbox_code_expire", "no_code", "200"),
            (SANDBOX_LAPSE_PATH, "POST", "sandbox_code_lapse", "not_verified", "200"),
            (SANDBOX_CUSTOMER_PATH, "DELETE", "sandbox_customer_delete", None, "204"),
        ]
        for status, scenario in _sandbox_scenarios(path, method, verb, conflict, success).items()
    },
    **{
        (path, method.lower(), "403"): (
            lambda w, path=path, method=method: w.partner_deactivated().call(method, path)
        )
        for path, method in [
            (WEBHOOKS_PATH, "GET"),
            (WEBHOOKS_PATH, "POST"),
            (WEBHOOK_PATH, "GET"),
            (WEBHOOK_PATH, "PATCH"),
            (WEBHOOK_PATH, "DELETE"),
            (DELIVERIES_PATH, "GET"),
            (REDELIVER_PATH, "POST"),
        ]
    },
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


def path_for(template: str, domain_id: int) -> str:
    return template.format(domainId=domain_id)


NEW_WEBHOOK = {"url": "https://hooks.partner.example/worksadmin", "events": ["code.verified"]}


@pytest.fixture
def world(api, api_token, code, customer_contract, app_credentials, settings, monkeypatch):
    return World(
        api=api,
        token=api_token,
        code=code,
        contract=customer_contract,
        app=app_credentials,
        settings=settings,
        monkeypatch=monkeypatch,
    )


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
        "/" + api_urls.API_PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in api_urls.api_patterns
        if isinstance(pattern, URLPattern) and pattern.name not in not_operations
    }

    assert routes | {TOKEN_PATH} == set(document["paths"])


def test_the_token_endpoint_s_documented_form_is_the_one_it_accepts(document, world):
    form = {
        "grant_type": JWT_BEARER,
        "client_id": world.app.app.client_id,
        "client_secret": world.app.client_secret,
        "assertion": sign(world.app),
        "scope": "partner.read",
    }

    assert not list(request_validator(document, TOKEN_PATH, "post", FORM).iter_errors(form))
    assert world.sign_in(**form).status_code == 200


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
        expected = [] if path == TOKEN_PATH else [{name: []} for name in schemes]
        assert document["paths"][path][method]["security"] == expected
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
