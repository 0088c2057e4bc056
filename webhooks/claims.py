"""Claiming delivery attempts: the first step of a run of `webhook_deliver` (tasks.py).

A run claims the delivery it was queued for, when that one is due, and with it up to
WEBHOOK_BATCH_SIZE - 1 more deliveries that are due, the oldest first: each is counted,
signed and leased in the same short transaction. Deliveries other runs hold are skipped
(SKIP LOCKED), so runs side by side share the queue instead of waiting on each other.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now

from core.prepared import PreparedGet, PreparedList

from . import delivery as steps
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    number: int
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Batch:
    """What a run took: `first` is what became of the delivery it was queued for (its claim,
    or why not); `following` are the deliveries a failure found here let start (None where
    none waited), for the caller to kick as tasks.py kicks those its settlements let start."""

    first: Claim | str
    claims: list[Claim]
    lease_until: datetime
    following: list[int | None]


def take(delivery_id: int, batch: tuple[int, ...], now: datetime, *, size: int) -> Batch:
    """Claim `delivery_id` and the rest of `batch` (a lease's run) where due, and more that
    are due up to `size` in all. Call it in a transaction: the claims are locked, leased and
    counted in it."""
    following: list[int | None] = []
    named = [_claim_named(pk, now, following) for pk in dict.fromkeys((delivery_id, *batch))]
    claims = [claim for claim in named if isinstance(claim, Claim)]
    _lease(claims, now)  # before the search for more, which then passes them by
    swept = []
    if size > len(claims):
        for delivery in due(size - len(claims)):
            claim = _claim_locked(delivery, now, following)
            if isinstance(claim, Claim):
                swept.append(claim)
    until = _lease(swept, now)
    return Batch(named[0], claims + swept, until, following)


def due(limit: int) -> list[WebhookDelivery]:
    """Up to `limit` deliveries that are due, the oldest first, locked (SKIP LOCKED).

    On PostgreSQL, sorting is off for the rest of the claim's transaction (nothing else in it
    sorts): the oldest are read in their index's order and the walk stops after `limit`.
    Planned while the statistics say few deliveries are pending (a burst before the next
    ANALYZE, say 18,000 after a log that was empty), PostgreSQL otherwise read every pending
    delivery through the other index and sorted them all, a handful by its reckoning."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")
    return _DUE.rows(0, limit)


def close_failed(delivery: WebhookDelivery, now: datetime) -> int | None:
    """The delivery (locked) has failed for good: one more against its endpoint's failure
    streak. Returns the delivery about the same customer that waited for it."""
    delivery.status, delivery.next_attempt_at, delivery.lease_until = Status.FAILED, None, None
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    steps.endpoint_count_failure(endpoint, now)
    delivery.save()
    return steps.next_in_line(delivery)


def close_succeeded(succeeded: list[tuple[WebhookDelivery, int]], now: datetime) -> list[int]:
    """Each (delivery, status code) of a batch has succeeded: the end of its endpoint's
    failure streak, in a few statements for all of them. Returns the deliveries about the
    same customers that waited for them."""
    by_code: dict[int, list[int]] = {}
    for delivery, code in succeeded:
        by_code.setdefault(code, []).append(delivery.pk)
    for code, ids in by_code.items():
        WebhookDelivery.objects.filter(pk__in=ids).update(
            status=Status.SUCCEEDED,
            next_attempt_at=None,
            lease_until=None,
            delivered_at=now,
            last_status_code=code,
        )
    endpoints = {delivery.endpoint_id for delivery, _code in succeeded}
    # Written (and the row locked) only when there is a streak to end: concurrent
    # successes to one endpoint, the usual case, do not queue on its row.
    WebhookEndpoint.objects.filter(pk__in=endpoints, failure_streak__gt=0).update(failure_streak=0)
    return steps.next_in_line_of([delivery for delivery, _code in succeeded])


def _claim_named(delivery_id: int, now: datetime, following: list[int | None]) -> Claim | str:
    """Lock one delivery and claim its next attempt if it is due; otherwise say why not
    (its status, IN_FLIGHT, NOT_DUE, ENDPOINT_OFF, WAITING or GONE)."""
    delivery = _LOCKED.get(delivery_id)
    if delivery is None:
        return "GONE"
    waiting = _why_not_now(delivery, now)
    return waiting or _claim_locked(delivery, now, following)


def _claim_locked(
    delivery: WebhookDelivery, now: datetime, following: list[int | None]
) -> Claim | str:
    """The next attempt of a locked delivery that is due, signed; _lease() counts it."""
    if delivery.lease_until is not None:  # the last attempt's worker died
        steps.attempt_log_interrupted(delivery)
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            following.append(close_failed(delivery, now))
            return Status.FAILED
    body = steps.payload_body(delivery.event)
    try:
        headers = steps.request_headers(delivery.endpoint, delivery, body, now)
    except InvalidToken:  # WEBHOOK_SECRET_KEYS or SECRET_KEY changed under it
        logger.error("webhook %s: its secret cannot be decrypted", delivery.endpoint_id)
        delivery.attempts += 1
        steps.attempt_log(delivery, number=delivery.attempts, at=now, result=steps.UNSIGNABLE)
        # Visible; a new secret and 「再送」 mend it.
        following.append(close_failed(delivery, now))
        return Status.FAILED
    delivery.attempts += 1  # as _lease() writes it, for the whole batch at once
    return Claim(delivery.pk, delivery.attempts, delivery.endpoint.url, body, headers)


def _lease(claims: list[Claim], now: datetime) -> datetime:
    """Count and lease the claimed attempts (their rows locked by this transaction), in one
    statement; returns when the leases end."""
    until = now + timedelta(seconds=steps.lease_seconds())
    if claims:
        WebhookDelivery.objects.filter(pk__in=[claim.delivery_id for claim in claims]).update(
            attempts=F("attempts") + 1, last_attempt_at=now, lease_until=until
        )
    return until


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


# Constant SQL, no input in it, PENDING written in (delivery.pending_sql). The order check is
# a subquery run per candidate, a probe of the pending index; OFFSET 0 keeps PostgreSQL from
# turning it into an anti join, whose plan, made while statistics say few are pending,
# walked every pending delivery per candidate.
_DELIVERY = WebhookDelivery._meta.db_table
_EARLIER_PENDING = steps.same_customer_pending_sql(
    "earlier",
    endpoint=f"{_DELIVERY}.endpoint_id",
    customer=f"{_DELIVERY}.works_group_id",
    id_is=f"< {_DELIVERY}.id",
)
_PENDING_DUE_SQL = (
    f"{steps.PENDING_SQL} AND NOT EXISTS (SELECT 1 {_EARLIER_PENDING} LIMIT 1 OFFSET 0)"
)
_PENDING_DUE = RawSQL(_PENDING_DUE_SQL, (), BooleanField())  # noqa: S611


def _due():
    """What _why_not_now lets through, as one query: pending, no attempt on its way, its
    retry time reached (by the database's clock), its endpoint on, no earlier delivery about
    the same customer still pending. Deliveries about no customer are left to their own runs
    (_claim_named), which order them among themselves."""
    return (
        WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("endpoint", "event")
        .filter(_PENDING_DUE, endpoint__is_active=True, works_group__isnull=False)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=Now()))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=Now()))
        .order_by("pk")
    )


# Read by every run: their SQL is built once (core.prepared).
_LOCKED = PreparedGet(
    WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint", "event")
)
_DUE = PreparedList(_due)
