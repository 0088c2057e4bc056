"""One run of the delivery task takes every delivery that is due, up to WEBHOOK_BATCH_SIZE:
their requests go out side by side, their outcomes are settled together, the runs queued
for the others leave the queue, and a worker dying mid-batch loses none of them."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_event_record
from webhooks.tasks import webhook_deliver

from .support import drain_queue, pending_deliveries

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_queue")]


def _events_about_customers(endpoint, count: int) -> list[WebhookDelivery]:
    for delivery in WebhookDeliveryFactory.build_batch(count, endpoint=endpoint):
        delivery.event.works_group.save()
        webhook_event_record(
            type=delivery.event.type,
            partner=endpoint.partner,
            works_group=delivery.event.works_group,
            data={"domain": delivery.event.works_group.domain},
        )
    return list(WebhookDelivery.objects.order_by("pk"))


def _runs(status: str):
    return DBTaskResult.objects.filter(task_path=webhook_deliver.module_path, status=status)


def test_one_run_takes_the_due_deliveries_and_the_others_runs_leave_the_queue(settings, receiver):
    settings.WEBHOOK_BATCH_SIZE = 3
    endpoint = WebhookEndpointFactory(url=receiver.url)
    deliveries = _events_about_customers(endpoint, 5)
    assert pending_deliveries().count() == 5  # one run queued per delivery

    drain_queue()

    receiver.wait_for(5)
    assert sorted(event["id"] for event in receiver.events()) == sorted(
        str(delivery.event_id) for delivery in deliveries
    )  # each event once
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"SUCCEEDED"}
    # Two runs made the five attempts (3 + 2); the three runs queued for the deliveries
    # they took left the queue unrun.
    assert _runs(TaskResultStatus.SUCCESSFUL).count() == 2


def test_a_run_sends_its_batch_side_by_side(settings, receiver):
    settings.WEBHOOK_BATCH_SIZE = 5
    endpoint = WebhookEndpointFactory(url=receiver.url)
    first, *_ = _events_about_customers(endpoint, 3)
    receiver.hold = True  # no answer until all three have asked

    def deliver():
        try:
            webhook_deliver.call(first.pk)
        finally:
            connections.close_all()  # this thread's own

    run = threading.Thread(target=deliver)
    run.start()
    try:
        receiver.wait_for(3)  # one after the other, the second would wait for the first
    finally:
        receiver.release.set()
        run.join(10)

    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"SUCCEEDED"}


def test_the_run_at_the_leases_end_names_its_whole_batch(settings, receiver):
    """A worker that died mid-batch leaves every attempt leased; the one run scheduled for
    the leases' end makes each again, even when a run takes no others (batch size 1)."""
    settings.WEBHOOK_BATCH_SIZE = 3
    endpoint = WebhookEndpointFactory(url=receiver.url)
    deliveries = _events_about_customers(endpoint, 3)
    webhook_deliver.call(deliveries[0].pk)
    now = timezone.now()  # queued runs wait for no time: their run_after is the far future
    soon = _runs(TaskResultStatus.READY).filter(run_after__gt=now, run_after__lt=now + timedelta(1))
    [lease_run] = soon
    assert sorted(lease_run.args_kwargs["args"]) == [delivery.pk for delivery in deliveries]

    # As if the worker had died after claiming: leased, never settled.
    past = timezone.now() - timedelta(minutes=5)
    WebhookDelivery.objects.update(
        status=WebhookDelivery.Status.PENDING, lease_until=past, delivered_at=None
    )
    settings.WEBHOOK_BATCH_SIZE = 1
    webhook_deliver.call(*lease_run.args_kwargs["args"])

    for delivery in WebhookDelivery.objects.all():
        outcomes = list(delivery.attempt_log.order_by("id").values_list("outcome", flat=True))
        assert (delivery.status, outcomes) == (
            "SUCCEEDED",
            ["SUCCEEDED", "INTERRUPTED", "SUCCEEDED"],
        )


def test_a_delivery_another_run_holds_is_passed_by(settings, receiver):
    """Claimed (leased) by a run still on its way: a second run does not send it again."""
    settings.WEBHOOK_BATCH_SIZE = 5
    endpoint = WebhookEndpointFactory(url=receiver.url)
    first, second = _events_about_customers(endpoint, 2)
    WebhookDelivery.objects.filter(pk=first.pk).update(
        attempts=1, lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert webhook_deliver.call(first.pk) == "IN_FLIGHT"

    [request] = receiver.wait_for(1)
    assert request.event["id"] == str(second.event_id)
    assert WebhookDelivery.objects.get(pk=first.pk).attempts == 1
