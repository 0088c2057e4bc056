"""The issue's "done when", as `make run` wires it (the immediate tasks backend, loopback
allowed) with the README's receiver on a loopback port:

- registered through the API, a verification through the API reaches the receiver as
  code.verified with a valid signature within a few seconds;
- completing the switch in the browser (the wizard's OK) sends switch.completed;
- a receiver answering 500 first shows the failed attempt in the delivery log, and gets the
  event after 「再送」.

The immediate backend delivers in a thread after commit; the tests wait for it
(`background_wait`) before they look, as the in-memory SQLite test database raises
instead of waiting when two connections meet.
"""

import json
import threading
import time

import pytest

from core.tasks import background_wait
from partners.tokens import api_token_create
from tests.factories import PartnerCodeFactory
from webhooks.models import WebhookDelivery

from .test_signing import example

pytestmark = pytest.mark.django_db(transaction=True)

FEW_SECONDS = 5


@pytest.fixture
def readme_receiver():
    """docs/examples/webhook_receiver.py on a free loopback port; its secret is set once the
    webhook is registered (the secret is only known then)."""
    server = example.Receiver(0, secret="not yet known")
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def partner_system(client, staff):
    secret = api_token_create(staff=staff, name="基幹システム")[1]
    headers = {"Authorization": f"Bearer {secret}"}

    def call(method: str, path: str, body=None):
        data = json.dumps(body) if body is not None else ""
        return client.generic(
            method, f"/api/v1{path}", data, content_type="application/json", headers=headers
        )

    return call


def _register(partner_system, receiver) -> int:
    response = partner_system(
        "POST",
        "/partners/webhooks",
        {"url": receiver.url, "events": ["code.verified", "switch.completed"]},
    )
    assert response.status_code == 201
    receiver.secret = response.json()["secret"]
    return response.json()["webhookId"]


def _verify_through_the_api(partner_system, code):
    response = partner_system(
        "POST",
        f"/partners/potential-customers/{code.works_group.domain}/transfer",
        {"partnerCode": code.code, "enablePartnerProfileDisplay": True},
    )
    assert response.status_code == 202


def test_the_receiver_hears_code_verified_then_switch_completed(
    client, partner_system, readme_receiver
):
    _register(partner_system, readme_receiver)
    code = PartnerCodeFactory()
    started = time.monotonic()

    _verify_through_the_api(partner_system, code)
    background_wait(FEW_SECONDS)

    assert time.monotonic() - started < FEW_SECONDS
    [verified] = readme_receiver.events  # only events whose signature verified are kept
    assert verified["type"] == "code.verified"
    assert verified["data"]["domain"] == code.works_group.domain
    assert verified["data"]["partnerCode"] == code.masked

    client.force_login(code.works_group.super_admin)
    response = client.post("/console/partner/contract/complete/")  # the dialog's OK
    assert response.status_code == 302
    background_wait(FEW_SECONDS)

    assert [event["type"] for event in readme_receiver.events] == [
        "code.verified",
        "switch.completed",
    ]


def test_a_failed_attempt_shows_in_the_log_and_redelivery_brings_the_event(
    client, staff, partner_system, readme_receiver
):
    readme_receiver.fail_first = 1
    webhook_id = _register(partner_system, readme_receiver)
    _verify_through_the_api(partner_system, PartnerCodeFactory())
    background_wait(FEW_SECONDS)
    client.force_login(staff)

    log = client.get(f"/partner/webhooks/{webhook_id}/").text

    assert readme_receiver.events == []
    assert "500" in log and "failing on purpose" in log
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING  # its retry waits for the worker

    response = client.post(f"/partner/webhooks/{webhook_id}/deliveries/{delivery.pk}/redeliver/")
    background_wait(FEW_SECONDS)

    assert [event["type"] for event in readme_receiver.events] == ["code.verified"]
    page = client.get(response["Location"]).text
    assert "イベントを再送します。" in page
    assert "配信済み" in page
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED


def test_the_api_log_shows_the_failed_attempt_too(partner_system, readme_receiver):
    readme_receiver.fail_first = 1
    webhook_id = _register(partner_system, readme_receiver)
    _verify_through_the_api(partner_system, PartnerCodeFactory())
    background_wait(FEW_SECONDS)

    [delivery] = partner_system("GET", f"/partners/webhooks/{webhook_id}/deliveries").json()[
        "deliveries"
    ]
    assert [(a["statusCode"], a["outcome"]) for a in delivery["attemptLog"]] == [(500, "RETRY")]

    response = partner_system(
        "POST", f"/partners/webhooks/{webhook_id}/deliveries/{delivery['deliveryId']}/redeliver"
    )
    background_wait(FEW_SECONDS)

    assert response.status_code == 202
    assert [event["type"] for event in readme_receiver.events] == ["code.verified"]
