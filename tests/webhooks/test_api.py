"""The webhooks API: register (the secret answered once), read, change, rotate, delete, the
delivery log and 「再送」; another partner's webhook or delivery is a 404 that writes nothing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent
from partners.tokens import api_token_create
from tests.api.openapi_support import JSON, check_response, openapi_document
from tests.factories import (
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from tests.support import TOKEN_LAST_USE, nothing_written
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.signing import secret_decrypt

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/partners/webhooks"
NEW = {"url": "https://hooks.partner.example/worksadmin", "events": ["code.verified"]}
DOCUMENT = openapi_document()


class Api:
    def __init__(self, client, secret):
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def __call__(self, method: str, path: str, body=None):
        data = "" if body is None else (body if isinstance(body, str) else json.dumps(body))
        return self.client.generic(method, path, data, content_type=JSON, headers=self.headers)


@pytest.fixture(autouse=True)
def _production_urls(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def api(client, staff):
    return Api(client, api_token_create(staff=staff, name="基幹システム")[1])


@pytest.fixture
def other_api(client, other_staff):
    return Api(client, api_token_create(staff=other_staff, name="他社システム")[1])


def test_registering_answers_the_secret_once(api):
    created = api("POST", WEBHOOKS, {**NEW, "description": "基幹システム"})

    assert created.status_code == 201
    body = created.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["webhookId"] == endpoint.pk
    assert (body["url"], body["events"], body["active"]) == (NEW["url"], NEW["events"], True)
    assert secret_decrypt(endpoint.secret_encrypted) == body["secret"]
    assert "secret" not in api("GET", f"{WEBHOOKS}/{endpoint.pk}").json()
    assert "secret" not in api("GET", WEBHOOKS).json()["webhooks"][0]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.WEBHOOK_CREATED).count() == 1


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({**NEW, "url": "http://hooks.partner.example/"}, "https://"),
        ({**NEW, "url": "https://127.0.0.1/hooks"}, "ループバック"),
        ({**NEW, "url": "https://10.0.0.8/hooks"}, "ループバック"),
        ({**NEW, "url": "https://user:pass@hooks.partner.example/"}, "パスワード"),
        ({**NEW, "url": "https://" + "a" * 500 + ".example/"}, "500文字"),
        ({**NEW, "events": []}, "イベント"),
        ({**NEW, "events": ["code.approved"]}, "events"),
        ({"url": NEW["url"]}, "events"),
        ({**NEW, "active": "yes"}, "active"),
    ],
)
def test_a_webhook_that_cannot_be_used_is_refused_with_a_clear_400(api, body, words):
    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = api("POST", WEBHOOKS, body)

    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_PARAMETER"
    assert words in response.json()["description"]


def test_a_partner_has_at_most_the_configured_number_of_webhooks(api, settings):
    settings.WEBHOOK_MAX_ENDPOINTS = 2
    for _ in range(2):
        assert api("POST", WEBHOOKS, NEW).status_code == 201

    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = api("POST", WEBHOOKS, NEW)

    assert response.status_code == 409
    assert response.json() == {
        "code": "WEBHOOK_LIMIT_REACHED",
        "description": "Webhookは2件まで登録できます。不要なWebhookを削除してください。",
    }


def test_the_default_limit_is_ten(settings):
    assert settings.WEBHOOK_MAX_ENDPOINTS == 10


def test_patch_changes_what_it_names_and_rotating_answers_the_new_secret(api, partner, settings):
    endpoint = WebhookEndpointFactory(partner=partner)
    old_secret = secret_decrypt(endpoint.secret_encrypted)

    response = api(
        "PATCH",
        f"{WEBHOOKS}/{endpoint.pk}",
        {"events": ["switch.completed", "code.verified"], "rotateSecret": True},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["events"] == ["code.verified", "switch.completed"]
    assert body["url"] == endpoint.url and body["active"] is True
    endpoint.refresh_from_db()
    assert secret_decrypt(endpoint.secret_encrypted) == body["secret"] != old_secret
    assert secret_decrypt(endpoint.previous_secret_encrypted) == old_secret
    assert endpoint.has_previous_secret()
    assert api("PATCH", f"{WEBHOOKS}/{endpoint.pk}", {"active": False}).json()["secret"] is None


def test_switching_off_says_who_switched_it_off(api, partner):
    endpoint = WebhookEndpointFactory(partner=partner)

    body = api("PATCH", f"{WEBHOOKS}/{endpoint.pk}", {"active": False}).json()

    assert (body["active"], body["disabledReason"]) == (False, "STAFF")
    body = api("PATCH", f"{WEBHOOKS}/{endpoint.pk}", {"active": True}).json()
    assert (body["active"], body["disabledReason"]) == (True, None)


def test_delete_removes_the_webhook_and_its_deliveries(api, partner):
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(partner=partner))
    path = f"{WEBHOOKS}/{delivery.endpoint_id}"

    response = api("DELETE", path)

    assert (response.status_code, response.content) == (204, b"")
    assert api("GET", path).status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_pages_newest_first_with_each_attempt(api, partner):
    endpoint = WebhookEndpointFactory(partner=partner)
    deliveries = [WebhookDeliveryFactory(endpoint=endpoint) for _ in range(3)]
    WebhookAttemptFactory(delivery=deliveries[2], status_code=500, outcome="RETRY", number=1)
    path = f"{WEBHOOKS}/{endpoint.pk}/deliveries"

    first = api("GET", f"{path}?limit=2").json()
    second = api("GET", f"{path}?limit=2&cursor={first['responseMetaData']['nextCursor']}").json()

    ids = [d["deliveryId"] for d in first["deliveries"] + second["deliveries"]]
    assert ids == [d.pk for d in reversed(deliveries)]
    assert second["responseMetaData"]["nextCursor"] is None
    newest = first["deliveries"][0]
    assert newest["eventId"] == str(deliveries[2].event_id)
    assert [(a["statusCode"], a["outcome"]) for a in newest["attemptLog"]] == [(500, "RETRY")]
    assert newest["attemptLog"][0]["responseExcerpt"] == "ok"


def test_redelivery_is_accepted_and_queued(api, partner):
    delivery = WebhookDeliveryFactory(
        endpoint=WebhookEndpointFactory(partner=partner), status="FAILED", attempts=4
    )

    response = api("POST", f"{WEBHOOKS}/{delivery.endpoint_id}/deliveries/{delivery.pk}/redeliver")

    assert response.status_code == 202
    assert response.json() == {"deliveryId": delivery.pk, "status": "PENDING"}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("PENDING", 0)


def test_redelivery_of_a_switched_off_webhook_is_refused(api, partner):
    endpoint = WebhookEndpointFactory(partner=partner, is_active=False, disabled_reason="STAFF")
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="FAILED")

    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = api("POST", f"{WEBHOOKS}/{endpoint.pk}/deliveries/{delivery.pk}/redeliver")

    assert (response.status_code, response.json()["code"]) == (409, "WEBHOOK_DISABLED")


@pytest.mark.parametrize("odd", ["abc", "-1", "1.5", "%20", "99999999999999999999"])
def test_an_id_that_names_no_webhook_is_not_found(api, odd):
    for method, path in [
        ("GET", f"{WEBHOOKS}/{odd}"),
        ("PATCH", f"{WEBHOOKS}/{odd}"),
        ("GET", f"{WEBHOOKS}/{odd}/deliveries"),
        ("POST", f"{WEBHOOKS}/1/deliveries/{odd}/redeliver"),
    ]:
        response = api(method, path, {} if method == "PATCH" else None)
        assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND"), path


# Another partner's ------------------------------------------------------------------------


def test_another_partners_webhooks_are_never_listed(api, other_partner):
    WebhookEndpointFactory(partner=other_partner)

    assert api("GET", WEBHOOKS).json() == {"webhooks": []}


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"url": "https://attacker.example/", "rotateSecret": True}),
        ("DELETE", "", None),
        ("GET", "/deliveries", None),
        ("POST", "/deliveries/{delivery}/redeliver", None),
    ],
)
def test_another_partners_webhook_is_not_found_and_untouched(
    other_api, partner, method, suffix, body
):
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(partner=partner))
    path = f"{WEBHOOKS}/{delivery.endpoint_id}{suffix.format(delivery=delivery.pk)}"

    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = other_api(method, path, body)

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_delivery_of_another_partner_cannot_be_redelivered_through_ones_own_webhook(
    api, partner, other_partner
):
    mine = WebhookEndpointFactory(partner=partner)
    theirs = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(partner=other_partner))

    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = api("POST", f"{WEBHOOKS}/{mine.pk}/deliveries/{theirs.pk}/redeliver")

    assert response.status_code == 404


# Generated requests ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
urls = st.one_of(
    st.just(NEW["url"]),
    st.sampled_from(["http://x/", "https://127.0.0.1/", "https://[::1]/", "ftp://a/", ""]),
    st.text(max_size=60),
    json_values,
)
events = st.one_of(
    st.lists(st.sampled_from(["code.verified", "switch.completed", "nope"]), max_size=3),
    json_values,
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "url": urls,
            "events": events,
            "active": json_values,
            "description": json_values,
            "rotateSecret": json_values,
        },
    ).map(json.dumps),
    json_values.map(json.dumps),
    st.binary(max_size=40),
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_bodies_never_get_a_5xx_and_a_refusal_writes_nothing(api, partner, data):
    endpoint = WebhookEndpoint.objects.filter(partner=partner).first() or WebhookEndpointFactory(
        partner=partner
    )
    method, path = data.draw(
        st.sampled_from([("POST", WEBHOOKS), ("PATCH", f"{WEBHOOKS}/{endpoint.pk}")])
    )
    body = data.draw(bodies)

    before = WebhookEndpoint.objects.count()
    response = api(method, path, body if isinstance(body, str) else body.decode("latin-1"))

    assert response.status_code in (200, 201, 400, 409), response.content
    template = "/api/v1/partners/webhooks" + ("" if method == "POST" else "/{webhookId}")
    check_response(DOCUMENT, template, method.lower(), response)
    if response.status_code >= 400:
        assert WebhookEndpoint.objects.count() == before
