"""The partner console's Webhook pages: register (the secret shown once), change, rotate,
delete, the delivery log with 「再送」; another partner's webhook is a 404 that writes
nothing. And /dev/webhooks/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    UserFactory,
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from tests.support import nothing_written
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.signing import secret_decrypt

pytestmark = pytest.mark.django_db

LIST = "/partner/webhooks/"
FORM = {
    "url": "https://hooks.partner.example/worksadmin",
    "description": "基幹システム",
    "events": ["code.verified", "switch.completed"],
    "is_active": "on",
}


@pytest.fixture
def console(client, staff):
    client.force_login(staff)
    return client


def test_the_menu_leads_to_the_webhook_page(console):
    page = console.get("/partner/")

    assert f'href="{LIST}"' in page.text
    assert console.get(LIST).status_code == 200


def test_registering_shows_the_secret_on_that_page_only(console):
    response = console.post(LIST, FORM)

    endpoint = WebhookEndpoint.objects.get()
    secret = secret_decrypt(endpoint.secret_encrypted)
    assert response.status_code == 200
    assert secret in response.text
    assert "このシークレットは今回だけ表示されます。" in response.text
    assert endpoint.events == ["code.verified", "switch.completed"]
    assert endpoint.description == "基幹システム"
    assert secret not in console.get(LIST).text
    assert secret not in console.get(f"{LIST}{endpoint.pk}/").text


def test_a_url_that_cannot_be_used_is_shown_on_the_field_and_nothing_is_written(console, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    with nothing_written():
        response = console.post(LIST, {**FORM, "url": "https://192.168.0.10/hooks"})

    assert response.status_code == 200
    assert "社内ネットワークやループバックのアドレスには送信できません。" in response.text
    assert "field-invalid" in response.text


def test_no_event_chosen_is_a_form_error(console):
    with nothing_written():
        response = console.post(LIST, {**FORM, "events": []})

    assert "通知するイベントを1つ以上選んでください。" in response.text


def test_at_the_limit_the_form_gives_way_to_a_notice(console, partner, settings):
    settings.WEBHOOK_MAX_ENDPOINTS = 1
    WebhookEndpointFactory(partner=partner)

    page = console.get(LIST)
    with nothing_written():
        refused = console.post(LIST, FORM)

    assert "Webhookは1件まで登録できます。" in page.text
    assert 'name="url"' not in page.text
    assert "Webhookは1件まで登録できます。" in refused.text


def test_only_the_partners_own_webhooks_are_listed(console, partner, other_partner):
    WebhookEndpointFactory(partner=partner, url="https://mine.example/hooks")
    WebhookEndpointFactory(partner=other_partner, url="https://theirs.example/hooks")

    page = console.get(LIST).text

    assert "https://mine.example/hooks" in page
    assert "https://theirs.example/hooks" not in page


def test_the_settings_are_saved_and_switching_off_is_shown(console, partner):
    endpoint = WebhookEndpointFactory(partner=partner)

    response = console.post(
        f"{LIST}{endpoint.pk}/", {**FORM, "url": "https://new.example/hooks", "is_active": ""}
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.is_active, endpoint.disabled_reason) == (
        "https://new.example/hooks",
        False,
        "STAFF",
    )
    assert "停止中" in console.get(response["Location"]).text


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_signing(console, partner):
    endpoint = WebhookEndpointFactory(partner=partner)

    response = console.post(f"{LIST}{endpoint.pk}/rotate/")

    endpoint.refresh_from_db()
    new_secret = secret_decrypt(endpoint.secret_encrypted)
    assert new_secret in response.text
    assert endpoint.has_previous_secret()
    assert new_secret not in console.get(f"{LIST}{endpoint.pk}/").text


def test_delete_removes_it(console, partner):
    endpoint = WebhookEndpointFactory(partner=partner)

    response = console.post(f"{LIST}{endpoint.pk}/delete/", follow=True)

    assert not WebhookEndpoint.objects.exists()
    assert "を削除しました。" in response.text


def test_the_delivery_log_shows_each_attempt(console, partner):
    endpoint = WebhookEndpointFactory(partner=partner)
    delivery = WebhookDeliveryFactory(endpoint=endpoint, attempts=2)
    earlier = timezone.now() - timedelta(minutes=3)
    WebhookAttemptFactory(
        delivery=delivery,
        number=1,
        attempted_at=earlier,
        outcome="RETRY",
        status_code=500,
        duration_ms=1234,
        response_excerpt="Internal Server Error: database down",
    )
    WebhookAttemptFactory(
        delivery=delivery,
        number=2,
        outcome="FAILED",
        status_code=None,
        duration_ms=None,
        response_excerpt="",
        error="TimeoutError: timed out",
    )

    page = console.get(f"{LIST}{endpoint.pk}/").text

    assert str(delivery.event_id) in page
    assert timezone.localtime(earlier).strftime("%Y-%m-%d %H:%M:%S") in page
    assert "500" in page and "1234 ms" in page
    assert "Internal Server Error: database down" in page
    assert "TimeoutError: timed out" in page
    assert "再送" in page


def test_redeliver_queues_the_delivery_again(console, partner):
    delivery = WebhookDeliveryFactory(
        endpoint=WebhookEndpointFactory(partner=partner), status="FAILED", attempts=4
    )

    response = console.post(
        f"{LIST}{delivery.endpoint_id}/deliveries/{delivery.pk}/redeliver/", follow=True
    )

    assert "イベントを再送します。" in response.text
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 0)


def test_redeliver_while_an_attempt_is_on_its_way_is_refused(console, partner):
    delivery = WebhookDeliveryFactory(
        endpoint=WebhookEndpointFactory(partner=partner),
        attempts=1,
        lease_until=timezone.now() + timedelta(minutes=1),
    )

    with nothing_written():
        response = console.post(
            f"{LIST}{delivery.endpoint_id}/deliveries/{delivery.pk}/redeliver/", follow=True
        )

    assert "この配信は送信中です。" in response.text


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", "/"),
        ("post", "/"),
        ("post", "/rotate/"),
        ("post", "/delete/"),
        ("post", "/deliveries/{delivery}/redeliver/"),
    ],
)
def test_another_partners_webhook_is_not_found_and_untouched(
    client, partner, other_staff, method, suffix
):
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(partner=partner))
    client.force_login(other_staff)
    path = f"{LIST}{delivery.endpoint_id}{suffix.format(delivery=delivery.pk)}"

    with nothing_written():
        response = getattr(client, method)(path, FORM if method == "post" else None)

    assert response.status_code == 404


def test_a_delivery_of_another_webhook_is_not_found_through_ones_own(console, partner):
    mine = WebhookEndpointFactory(partner=partner)
    theirs = WebhookDeliveryFactory()

    with nothing_written():
        response = console.post(f"{LIST}{mine.pk}/deliveries/{theirs.pk}/redeliver/")

    assert response.status_code == 404


# /dev/webhooks/ ------------------------------------------------------------------------------

DEV = "/dev/webhooks/"


def test_the_dev_page_does_not_exist_without_debug(client, staff):
    client.force_login(staff)

    assert client.get(DEV).status_code == 404


def test_the_dev_page_needs_a_log_in(client, settings):
    settings.DEBUG = True

    response = client.get(DEV)

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_operators_see_every_delivery_and_staff_their_partners_only(
    client, settings, partner, staff
):
    settings.DEBUG = True
    mine = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(partner=partner))
    theirs = WebhookDeliveryFactory(endpoint__url="https://theirs.example/hooks")

    client.force_login(UserFactory(operator=True))
    everything = client.get(DEV).text
    client.force_login(staff)
    own = client.get(DEV).text

    assert str(mine.event_id) in everything and str(theirs.event_id) in everything
    assert str(mine.event_id) in own and str(theirs.event_id) not in own
    assert "&quot;type&quot;: &quot;code.verified&quot;" in own  # the body, escaped


def test_customers_may_not_open_the_dev_page(client, settings, super_admin):
    settings.DEBUG = True
    client.force_login(super_admin)

    assert client.get(DEV).status_code == 403
