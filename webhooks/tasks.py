"""Delivering webhooks in the tasks worker.

A run of `webhook_deliver` makes at most one attempt of each delivery it takes, and only
of deliveries that are due: PENDING, not on their way already, their retry time reached,
their endpoint on, and no earlier delivery of the same endpoint about the same customer
still pending. It takes the delivery it was queued for, when that one is due, and up to
WEBHOOK_BATCH_SIZE - 1 more that are due (claims.py). So any number of runs of one delivery
is harmless, one run does the work of many while they queue up, and a batch is made in
three steps:

1. claim (a short transaction): each attempt is counted and leased, and a run is scheduled
   for when the leases end, so that a worker dying mid-batch loses nothing;
2. the HTTP requests, side by side, outside any transaction, with the transport's timeouts;
3. settle (a short transaction): each attempt is logged, its delivery succeeds, is retried
   later or fails, and the delivery that waited for it is started.

Delivery is at least once: a worker that dies after the receiver answered but before step 3
committed leaves the attempt to be made again. The event's `id` is the same every time.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.tasks import task, task_backends
from django.utils import timezone

from core.tasks import enqueue_in_background, queued_runs_drop

from . import claims, transport
from . import delivery as steps
from .models import WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
# Where runs that must wait go when the default backend cannot defer (settings.TASKS).
DEFERRED_BACKEND = "deferred"
Sent = tuple[claims.Claim, steps.Result, int]


@task
def webhook_deliver(delivery_id: int, *batch: int) -> str:
    """Attempt the delivery if it is due, with the rest of `batch` (a lease's run) and more
    that are due; returns what happened to `delivery_id`."""
    now = timezone.now()
    with transaction.atomic():
        taken = claims.take(delivery_id, batch, now, size=settings.WEBHOOK_BATCH_SIZE)
        ids = [claim.delivery_id for claim in taken.claims]
        if ids:  # the run at the leases' end resumes the batch if this worker dies
            _run_at(*ids, when=taken.lease_until)
        # The runs queued for the others would find them taken: they go.
        queued_runs_drop(webhook_deliver, [pk for pk in ids if pk != delivery_id])
        _kick(taken.following)
    if not taken.claims:
        return taken.first
    settled = _settle(_send(taken.claims), timezone.now())
    return settled.get(delivery_id, taken.first if isinstance(taken.first, str) else "GONE")


def _send(taken: list[claims.Claim]) -> list[Sent]:
    """Each claimed attempt's request; a batch's side by side, so that one slow receiver
    costs the batch one attempt's deadline, as the lease allows."""
    if len(taken) == 1:
        return [_post(taken[0])]
    with ThreadPoolExecutor(max_workers=len(taken), thread_name_prefix="webhook") as pool:
        return list(pool.map(_post, taken))


def _post(claim: claims.Claim) -> Sent:
    started = time.monotonic()
    try:
        response = transport.post(
            claim.url,
            claim.body,
            claim.headers,
            allow_private=settings.WEBHOOK_ALLOW_PRIVATE,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            ca_certs=settings.WEBHOOK_CA_BUNDLE,
        )
    except (transport.BlockedDestination, transport.TransportError) as exc:
        result = steps.result_of_error(exc)
    else:
        result = steps.result_of_response(response)
    return claim, result, round((time.monotonic() - started) * 1000)


def delivery_kick(delivery_id: int) -> None:
    """Have the delivery attempted soon, without the caller waiting: with the database queue
    the run commits with the caller's transaction. Otherwise (development) it runs after
    commit in a thread (core.tasks.enqueue_in_background), and a copy of the run commits in
    the `deferred` queue, for `make worker` to make if the thread never could (the process
    ended first); whichever comes second finds nothing to do."""
    backend = _deferring_backend()
    if backend not in (None, "default"):
        webhook_deliver.using(backend=backend).enqueue(delivery_id)
    enqueue_in_background(webhook_deliver, delivery_id)


def _settle(sent: list[Sent], now: datetime) -> dict[int, str]:
    """Every attempt of a batch logged and its delivery moved on, in one transaction;
    returns each delivery's status."""
    with transaction.atomic():
        ids = [claim.delivery_id for claim, _result, _ms in sent]
        # Locked in one order, so that two settling runs cannot deadlock.
        locked = WebhookDelivery.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        deliveries = {delivery.pk: delivery for delivery in locked}
        statuses, log, succeeded = {}, [], []
        for claim, result, duration_ms in sent:
            delivery = deliveries.get(claim.delivery_id)
            if delivery is None:
                statuses[claim.delivery_id] = "GONE"  # its endpoint was deleted meanwhile
                continue
            result, retry = _judged(claim, result)
            log.append(
                steps.attempt_entry(
                    delivery,
                    number=claim.number,
                    at=delivery.last_attempt_at or now,
                    result=result,
                    duration_ms=duration_ms,
                )
            )
            logger.info(
                "webhook delivery %s attempt %s: %s %s %s",
                delivery.pk,
                claim.number,
                result.outcome,
                result.status_code or "",
                result.error,
            )
            if delivery.status != Status.PENDING or delivery.attempts != claim.number:
                statuses[delivery.pk] = delivery.status  # settled or re-claimed meanwhile
            elif result.outcome == WebhookAttempt.Outcome.SUCCEEDED:
                statuses[delivery.pk] = Status.SUCCEEDED
                succeeded.append((delivery, result.status_code))
            else:
                statuses[delivery.pk] = _settle_failed(delivery, claim, result, retry, now)
        WebhookAttempt.objects.bulk_create(log)
        if succeeded:
            _kick(claims.close_succeeded(succeeded, now))
        return statuses


def _judged(claim: claims.Claim, result: steps.Result) -> tuple[steps.Result, bool]:
    """The attempt's result once the attempt limit is applied, and whether to retry."""
    retry = (
        result.outcome == WebhookAttempt.Outcome.RETRY
        and claim.number < settings.WEBHOOK_MAX_ATTEMPTS
        and _deferring_backend() is not None
    )
    if result.outcome == WebhookAttempt.Outcome.RETRY and not retry:
        result = steps.Result(WebhookAttempt.Outcome.FAILED, **_details(result))
    return result, retry


def _settle_failed(
    delivery: WebhookDelivery, claim: claims.Claim, result: steps.Result, retry: bool, now
) -> str:
    delivery.last_status_code = result.status_code
    if not retry:
        _kick([claims.close_failed(delivery, now)])
        return delivery.status
    delivery.lease_until = None
    delivery.next_attempt_at = now + steps.retry_delay(claim.number, result.retry_after)
    delivery.save()
    _run_at(delivery.pk, when=delivery.next_attempt_at)
    return delivery.status


def _kick(deliveries: list[int | None]) -> None:
    """Start the deliveries that waited for those just settled."""
    for delivery_id in deliveries:
        if delivery_id is not None:
            delivery_kick(delivery_id)


def _details(result: steps.Result) -> dict:
    return {"status_code": result.status_code, "excerpt": result.excerpt, "error": result.error}


def _deferring_backend() -> str | None:
    """The backend that can run a task later: the default one if it can (the database queue
    of production), else the `deferred` database queue, which `make worker` drains."""
    if webhook_deliver.get_backend().supports_defer:
        return "default"
    if DEFERRED_BACKEND in settings.TASKS and task_backends[DEFERRED_BACKEND].supports_defer:
        return DEFERRED_BACKEND
    return None


def _run_at(delivery_id: int, *batch: int, when: datetime) -> None:
    """A run of the deliveries at `when`, committed with the current transaction."""
    backend = _deferring_backend()
    if backend is not None:
        webhook_deliver.using(backend=backend, run_after=when).enqueue(delivery_id, *batch)
