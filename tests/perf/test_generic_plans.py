"""Prepared statements keep one generic plan per connection, and the long lists' plans are good.

`DATABASE_PLAN_CACHE_MODE` (default `force_generic_plan`) stops PostgreSQL from planning a
prepared statement again at every execution, which it does whenever its statistics make it
doubt the generic plan (docs/PERFORMANCE.md, sixth pass, change 27). A generic
plan is made without the values: issue 7's trap was one that sorted a busy tenant's whole
audit log. So each long list is prepared here as the server prepares it, for a tenant with
many more rows than the others, and its generic plan must walk the list's index and stop
after a page.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import AuditEvent
from accounts.selectors import audit_rows
from core.tasks import queued_runs_drop
from partners.models import PartnerCode
from partners.selectors import customer_code_list
from tests.factories import (
    PartnerFactory,
    UserFactory,
    WebhookEndpointFactory,
    WorksGroupFactory,
)
from tests.reliability.support import ON_POSTGRESQL
from webhooks import claims
from webhooks import delivery as delivery_steps
from webhooks.models import EventType, WebhookDelivery, WebhookEvent
from webhooks.tasks import webhook_deliver

from .plans import analyze, assert_walks, generic_plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL's plans"),
]

PAGE = 50


def test_the_connection_keeps_generic_plans():
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"


def test_audit_s_generic_plan_walks_the_busy_tenant_s_index():
    busy, *quiet = WorksGroupFactory.create_batch(21)
    now = timezone.now()
    events = [
        AuditEvent(works_group=group, action=AuditEvent.Action.LOGIN, created_at=now)
        for group in quiet
        for _ in range(5)
    ]
    events += [
        AuditEvent(
            works_group=busy, action=AuditEvent.Action.LOGIN, created_at=now - timedelta(minutes=i)
        )
        for i in range(3000)
    ]
    AuditEvent.objects.bulk_create(events)
    analyze(AuditEvent)

    for action in ("", AuditEvent.Action.LOGIN):
        plan = generic_plan(
            lambda action=action: audit_rows(works_group_id=busy.pk, action=action)[0:PAGE]
        )
        assert_walks(plan, "audit_group_recent")


def test_the_partner_list_s_generic_plan_walks_the_busy_partner_s_index():
    busy, quiet = PartnerFactory.create_batch(2)
    group = WorksGroupFactory()
    admin = UserFactory(works_group=group)
    now = timezone.now()
    codes = [
        PartnerCode(
            works_group=group,
            code=f"GP{i:08d}",
            status=PartnerCode.Status.LAPSED,
            issued_at=now,
            issued_by=admin,
            expires_at=now,
            verified_partner=busy if i % 50 else quiet,
            verified_at=now - timedelta(minutes=i),
        )
        for i in range(3000)
    ]
    PartnerCode.objects.bulk_create(codes)
    analyze(PartnerCode)

    plan = generic_plan(lambda: customer_code_list(partner=busy)[0:PAGE])

    assert_walks(plan, "code_partner_recent")


def test_the_task_worker_s_generic_plan_walks_the_queue_s_index():
    # django-tasks-db's own index is partial (status = 'READY'), which a generic plan of
    # `status = $1` cannot use: core's migration adds the same order without the condition.
    now = timezone.now()
    tasks = [
        DBTaskResult(
            status=TaskResultStatus.SUCCESSFUL if i % 100 else TaskResultStatus.READY,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="outbox.tasks.send",
            backend_name="default",
            run_after=now,
        )
        for i in range(3000)
    ]
    DBTaskResult.objects.bulk_create(tasks)
    analyze(DBTaskResult)

    plan = generic_plan(
        lambda: (
            DBTaskResult.objects.ready()
            .filter(backend_name="default", queue_name__in=["default"])
            .get_locked()
        )
    )

    assert_walks(plan, "task_queue_in_order")


def test_the_webhook_run_s_generic_plan_walks_the_pending_deliveries_in_order():
    # A run's search for due deliveries (webhooks/claims.py) in a long delivery log, planned
    # while the statistics still say none is pending (as after a burst of events): pending
    # ones only, in order, each one's order checked by a probe of the pending index.
    endpoint = WebhookEndpointFactory()
    group = WorksGroupFactory()
    _deliveries(endpoint, [group], WebhookDelivery.Status.SUCCEEDED, rounds=3000)
    analyze(WebhookDelivery)
    _deliveries(endpoint, [group], WebhookDelivery.Status.PENDING, rounds=3000)  # the burst

    with transaction.atomic():
        plan = generic_plan(lambda: claims.due(20))

    assert "Index Scan using webhook_delivery_due" in plan, plan
    probe = re.search(
        r"Index (Only )?Scan using webhook_pending_in_order.*\n.*Index Cond: (.*)", plan
    )
    assert probe and "endpoint_id" in probe[2] and "works_group_id" in probe[2], plan
    assert "Seq Scan on webhooks_webhookdelivery" not in plan, plan


@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction
def test_the_webhook_run_s_plan_walks_in_order_when_the_statistics_saw_no_delivery():
    # The same search when the last VACUUM ANALYZE saw no endpoint and no delivery (a new
    # installation, or one whose log was cleared), then a burst about many customers:
    # PostgreSQL then reckons with a handful of pending rows, and a handful is cheap to sort,
    # so it read every pending delivery through the other index and sorted them all (18,000:
    # 200 ms a run).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE webhooks_webhookendpoint, webhooks_webhookdelivery")
    endpoint = WebhookEndpointFactory()
    groups = WorksGroupFactory.create_batch(30)
    _deliveries(endpoint, groups, WebhookDelivery.Status.PENDING, rounds=100)

    with transaction.atomic():
        plan = generic_plan(lambda: claims.due(20))

    assert "Index Scan using webhook_delivery_due" in plan, plan
    assert not re.search(r"^\s*(->\s*)?Sort  \(", plan, re.MULTILINE), plan


@pytest.mark.parametrize(
    "read",
    [
        lambda delivery: delivery_steps.earlier_pending(delivery),
        lambda delivery: delivery_steps.next_in_line(delivery),
        lambda delivery: delivery_steps.next_in_line_of([delivery]),
    ],
    ids=["earlier_pending", "next_in_line", "next_in_line_of"],
)
def test_the_order_checks_probe_the_pending_index_of_one_customer(read):
    # The checks of the order per customer, run for every delivery a run claims or settles:
    # planned generically they are a probe of the pending deliveries of one endpoint and
    # customer, not a walk of the delivery log (PENDING bound as $n made the pending index
    # unusable: 20 ms a batch among 18,000 pending, and a walk of the log by its key).
    endpoint = WebhookEndpointFactory()
    groups = WorksGroupFactory.create_batch(20)
    _deliveries(endpoint, groups, WebhookDelivery.Status.SUCCEEDED, rounds=95)
    pending = _deliveries(endpoint, groups, WebhookDelivery.Status.PENDING, rounds=5)  # newest
    analyze(WebhookDelivery)

    with transaction.atomic():
        plan = generic_plan(lambda: read(pending[50]))

    probe = re.search(
        r"Index (Only )?Scan (Backward )?using webhook_pending_in_order.*\n.*Index Cond: (.*)", plan
    )
    assert probe and "endpoint_id" in probe[3] and "works_group_id" in probe[3], plan


def _deliveries(endpoint, groups, status: str, *, rounds: int) -> list[WebhookDelivery]:
    """`rounds` events to `endpoint` about each of `groups`, round after round, each with one
    delivery in `status`."""
    events = WebhookEvent.objects.bulk_create(
        WebhookEvent(type=EventType.CODE_VERIFIED, partner=endpoint.partner, works_group=group)
        for _ in range(rounds)
        for group in groups
    )
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            event=event, endpoint=endpoint, works_group=event.works_group, status=status
        )
        for event in events
    )


def test_a_batch_run_finds_the_runs_queued_for_its_deliveries_by_their_index(settings):
    # core.tasks.queued_runs_drop among many waiting tasks: an index probe per delivery.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()
    DBTaskResult.objects.bulk_create(
        DBTaskResult(
            args_kwargs={"args": [i], "kwargs": {}},
            task_path="webhooks.tasks.webhook_deliver" if i % 2 else "outbox.tasks.send",
            backend_name="default",
            run_after=now,
        )
        for i in range(3000)
    )
    analyze(DBTaskResult)

    with transaction.atomic():
        plan = generic_plan(lambda: queued_runs_drop(webhook_deliver, list(range(1, 41, 2))))

    assert "$1" in plan, plan
    assert re.search(r"Index Scan (using|on) task_queue_runs_by_argument", plan), plan
    assert "Seq Scan" not in plan, plan
