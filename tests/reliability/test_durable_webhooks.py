"""Webhooks as durable as the e-mail outbox, with real receivers on 127.0.0.1, the
django-tasks-db queue and real `db_worker`s.

- The flow never waits on a receiver: with one that never answers, verifying through the
  API takes as long as without any webhook (immediate backend and database queue alike).
- A worker killed mid-delivery loses nothing: the attempt's lease ends, the delivery is made
  again (at least once: the receiver may see the event twice, with the same id).
- Workers sharing one PostgreSQL queue, with duplicated tasks, deliver each event once, and
  each customer's events in the order they happened.
"""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from core import tasks as core_tasks
from core.tasks import background_wait
from partners import services
from partners.tokens import api_token_create
from tests.factories import PartnerCodeFactory, WebhookEndpointFactory, WorksGroupFactory
from tests.webhooks.support import (
    Receiver,
    SilentServer,
    drain_queue,
    let_time_pass,
    signal_handlers_kept,
)
from webhooks.models import WebhookDelivery
from webhooks.tasks import webhook_deliver

from .support import postgresql_only, run_db_workers

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"BACKEND": "django_tasks_db.DatabaseBackend"}


@pytest.fixture(autouse=True)
def _development_receivers(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 3


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": DATABASE_QUEUE, "deferred": DATABASE_QUEUE}


def _api_verify(client, secret: str, code) -> float:
    """POST …/transfer as a partner system; the seconds the response took."""
    started = time.monotonic()
    response = client.post(
        f"/api/v1/partners/potential-customers/{code.works_group.domain}/transfer",
        json.dumps({"partnerCode": code.code, "enablePartnerProfileDisplay": True}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 202, response.content
    return elapsed


def _codes(count: int):
    return [PartnerCodeFactory(works_group=WorksGroupFactory()) for _ in range(count)]


# The flow never waits -----------------------------------------------------------------------


@pytest.mark.parametrize("queue", ["immediate", "database"])
def test_a_receiver_that_never_answers_does_not_slow_a_verification(request, client, staff, queue):
    """The delivery runs after the response (immediate backend: in a thread after commit;
    database queue: in the worker), so the receiver's silence costs the request nothing."""
    if queue == "database":
        request.getfixturevalue("database_queue")
    _token, secret = api_token_create(staff=staff, name="基幹システム")
    warm_up, without, with_hanging = _codes(3)
    _api_verify(client, secret, warm_up)
    silent = SilentServer()
    try:
        baseline = _api_verify(client, secret, without)
        WebhookEndpointFactory(partner=staff.partner, url=silent.url)

        elapsed = _api_verify(client, secret, with_hanging)
    finally:
        silent.close()

    # Waiting on the receiver would take WEBHOOK_TIMEOUT_SECONDS (3 s) at the very least.
    assert elapsed < django_settings.WEBHOOK_TIMEOUT_SECONDS
    assert elapsed < baseline + 1.0
    background_wait()  # the attempt times out in the background, a retry is scheduled
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == (1 if queue == "immediate" else 0)


def test_with_the_immediate_backend_a_first_attempt_whose_thread_never_ran_is_not_lost(
    monkeypatch, staff
):
    """`make run`: the first attempt runs in a thread after commit; if the server stops
    before the thread runs, the copy committed in the `deferred` queue is `make worker`'s."""
    monkeypatch.setattr(core_tasks, "_start", lambda task, args: None)  # the server stopped
    receiver = Receiver()
    WebhookEndpointFactory(partner=staff.partner, url=receiver.url)
    [code] = _codes(1)

    services.code_verify(
        partner=staff.partner,
        staff=staff,
        domain=code.works_group.domain,
        raw_code=code.code,
        show_profile=True,
    )
    assert receiver.requests == []
    with signal_handlers_kept():  # make worker
        call_command(
            "db_worker",
            "--backend",
            "deferred",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            interval=0,
            verbosity=0,
        )

    assert receiver.wait_for(1)[0].event["type"] == "code.verified"
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED
    receiver.stop()


# A worker killed mid-delivery ---------------------------------------------------------------


def _worker_environment() -> dict:
    """The settings a deployed worker would have, on this test database."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "worksadmin.settings",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DEBUG": "false",
        "SECRET_KEY": django_settings.SECRET_KEY,  # the key the endpoint secret is stored under
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": url,
        "TASKS_BACKEND": DATABASE_QUEUE["BACKEND"],
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WEBHOOK_TIMEOUT_SECONDS": "20",
    }


@postgresql_only
@pytest.mark.usefixtures("database_queue")
def test_a_worker_killed_mid_delivery_loses_nothing(staff):
    receiver = Receiver()
    receiver.hold = True  # the first request gets no answer until the test says so
    WebhookEndpointFactory(partner=staff.partner, url=receiver.url)
    [code] = _codes(1)
    services.code_verify(
        partner=staff.partner,
        staff=staff,
        domain=code.works_group.domain,
        raw_code=code.code,
        show_profile=True,
    )
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0.1",
            "--verbosity",
            "0",
        ],
        cwd=django_settings.BASE_DIR,
        env=_worker_environment(),
    )
    try:
        receiver.wait_for(1)  # the worker is mid-delivery: asked, not yet answered
        worker.kill()
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    receiver.hold = False
    receiver.release.set()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 1)
    assert delivery.lease_until is not None  # the attempt was never settled
    drain_queue()
    assert len(receiver.requests) == 1  # not before the lease ends

    let_time_pass()
    drain_queue()  # another worker: the run scheduled for the lease's end resumes it

    first, second = receiver.wait_for(2)
    assert first.event["id"] == second.event["id"]  # at least once, the same id
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    outcomes = list(delivery.attempt_log.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["INTERRUPTED", "SUCCEEDED"]
    receiver.stop()


# Workers sharing the queue ------------------------------------------------------------------


@postgresql_only
@pytest.mark.usefixtures("database_queue")
def test_workers_sharing_the_queue_deliver_each_event_once_in_order_per_customer(staff):
    receiver = Receiver()
    WebhookEndpointFactory(partner=staff.partner, url=receiver.url)
    codes = _codes(4)
    for code in codes:
        services.code_verify(
            partner=staff.partner,
            staff=staff,
            domain=code.works_group.domain,
            raw_code=code.code,
            show_profile=True,
        )
        admin = code.works_group.super_admin
        services.contract_complete(works_group=code.works_group, by=admin)
    for delivery_id in WebhookDelivery.objects.values_list("pk", flat=True):
        webhook_deliver.enqueue(delivery_id)  # duplicates of every task
        webhook_deliver.enqueue(delivery_id)

    run_db_workers(4, timeout=60)

    events = receiver.events()
    assert len(events) == 8
    assert len({event["id"] for event in events}) == 8  # each event once
    for code in codes:
        kinds = [e["type"] for e in events if e["data"]["domain"] == code.works_group.domain]
        assert kinds == ["code.verified", "switch.completed"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"SUCCEEDED"}
    receiver.stop()
