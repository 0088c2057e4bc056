"""Delivering webhooks in the tasks worker.

A run of `webhook_deliver` makes at most one attempt, and only when the delivery is due:
PENDING, not on its way already, its retry time reached, its endpoint on, and no earlier
delivery of the same endpoint about the same customer still pending. So any number of runs
of one delivery is harmless, and each attempt is made in three steps:

1. claim (a short transaction): the attempt is counted and leased, and a run is scheduled
   for when the lease ends, so that a worker dying mid-attempt loses nothing;
2. the HTTP request, outside any transaction, with the transport's timeouts;
3. settle (a short transaction): the attempt is logged, the delivery succeeds, is retried
   later or fails, and the delivery that waited for it is started.

Delivery is at least once: a worker that dies after the receiver answered but before step 3
committed leaves the attempt to be made again. The event's `id` is the same every time.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.tasks import task, task_backends
from django.utils import timezone

from core.tasks import enqueue_in_background

from . import delivery as steps
from . import transport
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
# Where runs that must wait go when the default backend cannot defer (settings.TASKS).
DEFERRED_BACKEND = "deferred"


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    number: int
    url: str
    body: bytes
    headers: dict[str, str]


@task
def webhook_deliver(delivery_id: int) -> str:
    """Make the next attempt of one delivery if it is due; returns what happened."""
    claim = _claim(delivery_id, timezone.now())
    if isinstance(claim, str):
        return claim
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
    duration_ms = round((time.monotonic() - started) * 1000)
    return _settle(claim, result, duration_ms, timezone.now())


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


def _claim(delivery_id: int, now: datetime) -> Claim | str:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "GONE"
        waiting = _why_not_now(delivery, now)
        if waiting:
            return waiting
        if delivery.lease_until is not None:  # the last attempt's worker died
            steps.attempt_log_interrupted(delivery)
            if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                _close(delivery, Status.FAILED, now)
                return Status.FAILED
        body = steps.payload_body(delivery.event)
        try:
            headers = steps.request_headers(delivery.endpoint, delivery, body, now)
        except InvalidToken:  # WEBHOOK_SECRET_KEYS or SECRET_KEY changed under it
            logger.error("webhook %s: its secret cannot be decrypted", delivery.endpoint_id)
            delivery.attempts += 1
            steps.attempt_log(delivery, number=delivery.attempts, at=now, result=steps.UNSIGNABLE)
            _close(delivery, Status.FAILED, now)  # visible; a new secret and 「再送」 mend it
            return Status.FAILED
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.lease_until = now + timedelta(seconds=steps.lease_seconds())
        delivery.save(update_fields=["attempts", "last_attempt_at", "lease_until"])
        _run_at(delivery.pk, delivery.lease_until)  # resumes the delivery if this worker dies
        return Claim(delivery.pk, delivery.attempts, delivery.endpoint.url, body, headers)


def _why_not_now(delivery: WebhookDelivery, now: datetime) -> str:
    """Why the delivery is not attempted now, or "" when it is due."""
    if delivery.status != Status.PENDING:
        return delivery.status
    if delivery.is_in_flight(now):
        return "IN_FLIGHT"
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return "NOT_DUE"
    if not delivery.endpoint.is_active:
        return "ENDPOINT_OFF"  # taken up again when the endpoint is switched on
    if steps.earlier_pending(delivery):
        return "WAITING"  # taken up when the earlier delivery settles
    return ""


def _settle(claim: Claim, result: steps.Result, duration_ms: int, now: datetime) -> str:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=claim.delivery_id).first()
        if delivery is None:
            return "GONE"  # its endpoint was deleted meanwhile
        retry = (
            result.outcome == WebhookAttempt.Outcome.RETRY
            and claim.number < settings.WEBHOOK_MAX_ATTEMPTS
            and _deferring_backend() is not None
        )
        if result.outcome == WebhookAttempt.Outcome.RETRY and not retry:
            result = steps.Result(WebhookAttempt.Outcome.FAILED, **_details(result))
        steps.attempt_log(
            delivery,
            number=claim.number,
            at=delivery.last_attempt_at or now,
            result=result,
            duration_ms=duration_ms,
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
            return delivery.status  # settled or re-claimed meanwhile (a redelivery)
        delivery.last_status_code = result.status_code
        if not retry:
            succeeded = result.outcome == WebhookAttempt.Outcome.SUCCEEDED
            _close(delivery, Status.SUCCEEDED if succeeded else Status.FAILED, now)
            return delivery.status
        delivery.lease_until = None
        delivery.next_attempt_at = now + steps.retry_delay(claim.number, result.retry_after)
        delivery.save()
        _run_at(delivery.pk, delivery.next_attempt_at)
        return delivery.status


def _close(delivery: WebhookDelivery, status: str, now: datetime) -> None:
    """The delivery (locked) has its outcome: it counts for or against its endpoint's
    failure streak, and the delivery about the same customer that waited for it starts."""
    delivery.status, delivery.next_attempt_at, delivery.lease_until = status, None, None
    if status == Status.SUCCEEDED:
        delivery.delivered_at = now
        # Written (and the row locked) only when there is a streak to end: concurrent
        # successes to one endpoint, the usual case, do not queue on its row.
        endpoints = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, failure_streak__gt=0)
        endpoints.update(failure_streak=0)
    else:
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        steps.endpoint_count_failure(endpoint, now)
    delivery.save()
    _start_next_in_line(delivery)


def _details(result: steps.Result) -> dict:
    return {"status_code": result.status_code, "excerpt": result.excerpt, "error": result.error}


def _start_next_in_line(delivery: WebhookDelivery) -> None:
    following = steps.next_in_line(delivery)
    if following is not None:
        delivery_kick(following)


def _deferring_backend() -> str | None:
    """The backend that can run a task later: the default one if it can (the database queue
    of production), else the `deferred` database queue, which `make worker` drains."""
    if webhook_deliver.get_backend().supports_defer:
        return "default"
    if DEFERRED_BACKEND in settings.TASKS and task_backends[DEFERRED_BACKEND].supports_defer:
        return DEFERRED_BACKEND
    return None


def _run_at(delivery_id: int, when: datetime) -> None:
    """A run of the delivery at `when`, committed with the current transaction."""
    backend = _deferring_backend()
    if backend is not None:
        webhook_deliver.using(backend=backend, run_after=when).enqueue(delivery_id)
