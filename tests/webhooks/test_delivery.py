"""Delivery through the django-tasks-db queue and its real `db_worker`, to real receivers on
127.0.0.1: what succeeds, what is retried and when, what is given up, in which order, and
what a failing endpoint costs."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent
from outbox.models import OutboundEmail
from partners import services
from tests.factories import UserFactory, WebhookDeliveryFactory
from tests.partners.flow import verify
from webhooks.models import EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    webhook_delivery_redeliver,
    webhook_endpoint_update,
    webhook_secret_rotate,
)
from webhooks.tasks import webhook_deliver

from .support import drain_queue, let_time_pass, pending_deliveries

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_queue")]

RETRY_BASE = 60  # settings.WEBHOOK_RETRY_BASE_SECONDS in tests/webhooks/conftest.py


def _attempts(delivery: WebhookDelivery) -> list[tuple]:
    rows = delivery.attempt_log.order_by("number", "id")
    return list(rows.values_list("number", "outcome", "status_code"))


def test_a_verification_commits_its_delivery_task_and_the_worker_sends_it_signed(
    staff, endpoint_for, open_code, receiver
):
    endpoint_for(receiver.url)
    code = open_code()

    verify(staff, code=code, show_profile=True, now=None)

    assert receiver.requests == []  # nothing is sent in the verifying transaction
    assert pending_deliveries().count() == 1
    drain_queue()
    [request] = receiver.requests
    event = request.event
    assert event["type"] == "code.verified"
    assert event["data"]["domain"] == code.works_group.domain
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Worksadmin-Event"] == "code.verified"
    assert request.signature.startswith("t=")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        WebhookDelivery.Status.SUCCEEDED,
        1,
        200,
    )
    [attempt] = delivery.attempt_log.all()
    assert attempt.outcome == WebhookAttempt.Outcome.SUCCEEDED
    assert attempt.response_excerpt == "ok" and attempt.duration_ms is not None


def test_a_delivery_task_is_never_left_without_its_event(staff, endpoint_for, open_code):
    endpoint_for("https://hooks.partner.example/")
    code = open_code()

    with pytest.raises(RuntimeError), transaction.atomic():
        verify(staff, code=code, show_profile=True, now=None)
        assert pending_deliveries().count() == 1  # written in the same transaction
        raise RuntimeError("the verification fails after its event was recorded")

    assert pending_deliveries().count() == 0
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("status", [200, 204])
def test_any_2xx_is_a_success(staff, endpoint_for, open_code, receiver, status):
    receiver.statuses = [status]
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)

    drain_queue()

    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED
    let_time_pass()
    drain_queue()  # the attempt's lease ends: its watchdog run finds nothing to do
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [302, 400, 404, 410])
def test_a_4xx_or_a_redirect_is_final_after_one_attempt(
    staff, endpoint_for, open_code, receiver, status
):
    receiver.statuses = [status]
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)

    drain_queue()
    let_time_pass()
    drain_queue()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert _attempts(delivery) == [(1, "FAILED", status)]
    assert len(receiver.requests) == 1  # a redirect's Location is never followed


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_5xx_408_and_429_are_tried_again_later(staff, endpoint_for, open_code, receiver, status):
    receiver.statuses = [status]
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)

    drain_queue()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("PENDING", status)
    drain_queue()  # too early: the retry waits for its time
    assert len(receiver.requests) == 1
    let_time_pass()
    drain_queue()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert _attempts(delivery) == [(1, "RETRY", status), (2, "SUCCEEDED", 200)]


def test_a_network_error_is_retried_with_a_growing_delay(staff, endpoint_for, open_code, down_port):
    endpoint_for(down_port.url)
    verify(staff, code=open_code(), show_profile=True, now=None)

    delays = []
    for _ in range(3):
        drain_queue()
        delivery = WebhookDelivery.objects.get()
        delays.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
        assert pending_deliveries().filter(run_after=delivery.next_attempt_at).exists()
        let_time_pass()

    assert delays == pytest.approx([RETRY_BASE, 2 * RETRY_BASE, 4 * RETRY_BASE], abs=2)
    attempt = WebhookAttempt.objects.order_by("number").first()
    assert attempt.status_code is None and "Connection refused" in attempt.error


def test_a_retry_after_longer_than_the_backoff_is_honoured(
    staff, endpoint_for, open_code, receiver
):
    receiver.statuses = [429]
    receiver.headers = {"Retry-After": "600"}
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)

    drain_queue()

    delivery = WebhookDelivery.objects.get()
    waited = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert waited == pytest.approx(600, abs=2)


def test_after_the_last_attempt_the_delivery_fails_visibly(
    settings, staff, endpoint_for, open_code, receiver
):
    receiver.statuses = [500] * 10
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)

    for _ in range(settings.WEBHOOK_MAX_ATTEMPTS + 1):
        drain_queue()
        let_time_pass()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert [outcome for _n, outcome, _s in _attempts(delivery)] == ["RETRY"] * 3 + ["FAILED"]
    assert len(receiver.requests) == settings.WEBHOOK_MAX_ATTEMPTS
    drain_queue()
    assert len(receiver.requests) == settings.WEBHOOK_MAX_ATTEMPTS


def test_every_attempt_sends_the_same_event_id_and_body(staff, endpoint_for, open_code, receiver):
    receiver.statuses = [503, 503]
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)

    for _ in range(3):
        drain_queue()
        let_time_pass()

    bodies = {request.body for request in receiver.wait_for(3)}
    assert len(bodies) == 1
    assert json.loads(bodies.pop())["id"] == str(WebhookDelivery.objects.get().event_id)


def test_an_endpoint_failing_delivery_after_delivery_is_switched_off_and_its_staff_told(
    settings, partner, staff, endpoint_for, open_code, receiver
):
    receiver.statuses = [410] * 10
    colleague = UserFactory(staff=True, partner=partner)
    endpoint = endpoint_for(receiver.url)

    for _ in range(settings.WEBHOOK_DISABLE_AFTER_FAILURES + 1):
        verify(staff, code=open_code(), show_profile=True, now=None)
        drain_queue()

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason, endpoint.failure_streak) == (
        False,
        WebhookEndpoint.DisabledReason.FAILURES,
        3,
    )
    assert len(receiver.requests) == 3  # the fourth event found the endpoint off
    audit = AuditEvent.objects.get(action=AuditEvent.Action.WEBHOOK_DISABLED)
    assert audit.partner == partner and audit.details["failures"] == 3
    notice = OutboundEmail.objects.get(template="webhook_disabled")
    assert sorted(notice.to) == sorted([staff.email, colleague.email])
    assert receiver.url in notice.body_text
    assert notice.subject == "Webhookを停止しました。"


def test_a_success_ends_the_failure_streak(settings, staff, endpoint_for, open_code, receiver):
    receiver.statuses = [410, 410, 200, 410, 410]
    endpoint = endpoint_for(receiver.url)

    for _ in range(5):
        verify(staff, code=open_code(), show_profile=True, now=None)
        drain_queue()

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.failure_streak) == (True, 2)


def test_deliveries_about_one_customer_go_out_in_the_order_their_events_happened(
    partner, staff, super_admin, endpoint_for, down_port, open_code
):
    """Down for a while: only the oldest delivery per customer is attempted; once the
    endpoint is back every event arrives, each customer's in order, each once."""
    endpoint_for(down_port.url)
    first_customer = super_admin.works_group
    code = services.code_issue(works_group=first_customer, by=super_admin)
    verify(staff, code=code, show_profile=True, now=None)  # code.verified
    services.contract_complete(works_group=first_customer, by=super_admin)  # same customer
    other = open_code()
    verify(staff, code=other, show_profile=True, now=None)  # code.verified, another customer

    drain_queue()
    attempted = WebhookDelivery.objects.filter(attempts__gt=0)
    assert {d.works_group for d in attempted} == {first_customer, other.works_group}
    assert not WebhookDelivery.objects.filter(
        works_group=first_customer, event__type=EventType.SWITCH_COMPLETED, attempts__gt=0
    ).exists()

    receiver = down_port.start()
    let_time_pass()
    drain_queue()

    receiver.wait_for(3)
    received = [(event["data"]["domain"], event["type"]) for event in receiver.events()]
    assert len(received) == 3
    mine = [kind for domain, kind in received if domain == first_customer.domain]
    assert mine == ["code.verified", "switch.completed"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"SUCCEEDED"}


def test_a_duplicate_run_of_a_delivered_delivery_sends_nothing(
    staff, endpoint_for, open_code, receiver
):
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)
    delivery = WebhookDelivery.objects.get()
    webhook_deliver.enqueue(delivery.pk)
    webhook_deliver.enqueue(delivery.pk)

    drain_queue()
    webhook_deliver.enqueue(delivery.pk)
    drain_queue()

    assert len(receiver.requests) == 1


def test_redelivery_sends_the_same_event_again(staff, endpoint_for, open_code, receiver):
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)
    drain_queue()
    delivery = WebhookDelivery.objects.get()

    webhook_delivery_redeliver(delivery=delivery, by=staff)
    drain_queue()

    first, second = receiver.wait_for(2)
    assert first.event["id"] == second.event["id"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("SUCCEEDED", 1)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.WEBHOOK_REDELIVERED).count() == 1


def test_a_switched_off_endpoint_resumes_what_was_pending_when_switched_on(
    staff, endpoint_for, open_code, down_port
):
    endpoint = endpoint_for(down_port.url)
    verify(staff, code=open_code(), show_profile=True, now=None)
    drain_queue()  # down: attempt 1 fails, a retry is due in a minute
    webhook_endpoint_update(endpoint=endpoint, by=staff, values={"is_active": False})
    verify(
        staff, code=open_code(), show_profile=True, now=None
    )  # while off: not recorded for this endpoint

    receiver = down_port.start()
    let_time_pass()
    drain_queue()
    assert receiver.requests == []  # off: the retry does not go out

    webhook_endpoint_update(endpoint=endpoint, by=staff, values={"is_active": True})
    drain_queue()

    assert len(receiver.wait_for(1)) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


def test_a_long_answer_is_kept_as_a_short_excerpt(staff, endpoint_for, open_code, receiver):
    receiver.body = b"x" * 100_000
    endpoint_for(receiver.url)
    verify(staff, code=open_code(), show_profile=True, now=None)

    drain_queue()

    attempt = WebhookAttempt.objects.get()
    assert len(attempt.response_excerpt) == 501 and attempt.response_excerpt.endswith("…")


def test_a_loopback_url_is_refused_at_send_time_in_production(
    settings, staff, endpoint_for, open_code, receiver
):
    endpoint_for(receiver.url)  # registered while development allowed it
    verify(staff, code=open_code(), show_profile=True, now=None)
    settings.WEBHOOK_ALLOW_PRIVATE = False

    drain_queue()

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "https://" in delivery.attempt_log.get().error


def test_the_rotation_overlap_signs_with_both_secrets(staff, endpoint_for, open_code, receiver):
    endpoint = endpoint_for(receiver.url)
    webhook_secret_rotate(endpoint=endpoint, by=staff)
    verify(staff, code=open_code(), show_profile=True, now=None)

    drain_queue()

    assert receiver.requests[0].signature.count("v1=") == 2


def test_a_delivery_whose_workers_keep_dying_is_given_up_after_the_last_attempt(settings, receiver):
    """What a killed worker leaves behind: an attempt counted and leased, never settled."""
    past = timezone.now() - timedelta(minutes=5)
    delivery = WebhookDeliveryFactory(
        endpoint__url=receiver.url,
        attempts=settings.WEBHOOK_MAX_ATTEMPTS,
        last_attempt_at=past,
        lease_until=past,
    )

    webhook_deliver.enqueue(delivery.pk)
    drain_queue()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.lease_until) == (WebhookDelivery.Status.FAILED, None)
    assert list(delivery.attempt_log.values_list("outcome", flat=True)) == ["INTERRUPTED"]
    assert receiver.requests == []


def test_an_interrupted_attempt_is_logged_and_made_again(receiver):
    past = timezone.now() - timedelta(minutes=5)
    delivery = WebhookDeliveryFactory(
        endpoint__url=receiver.url, attempts=1, last_attempt_at=past, lease_until=past
    )

    webhook_deliver.enqueue(delivery.pk)
    drain_queue()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert _attempts(delivery) == [(1, "INTERRUPTED", None), (2, "SUCCEEDED", 200)]
    assert len(receiver.requests) == 1


def test_a_secret_that_cannot_be_decrypted_fails_visibly_until_a_new_one_is_issued(
    staff, endpoint_for, open_code, receiver
):
    endpoint = endpoint_for(receiver.url)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_encrypted="gAAAA-not-ours")
    verify(staff, code=open_code(), show_profile=True, now=None)

    drain_queue()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "シークレットを再発行" in delivery.attempt_log.get().error
    assert receiver.requests == []

    webhook_secret_rotate(endpoint=endpoint, by=staff)
    webhook_delivery_redeliver(delivery=delivery, by=staff)
    drain_queue()

    assert len(receiver.wait_for(1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
