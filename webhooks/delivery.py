"""What one delivery attempt sends, how its answer is judged, and what a failing endpoint
costs. The task that runs attempts is in tasks.py."""

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent
from accounts.services import audit_record
from core.prepared import PreparedInsert
from outbox.services import email_queue

from . import signing, transport
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

USER_AGENT = "worksadmin-webhooks/1"
EXCERPT_CHARS = 500
MAX_RETRY_AFTER_SECONDS = 3600
# Answers worth another attempt besides 5xx: Request Timeout and Too Many Requests.
RETRIED_STATUSES = {408, 429}
INTERRUPTED = _("配信中に処理が中断されたため、結果は不明です。もう一度送信します。")
SECRET_UNREADABLE = _(
    "署名シークレットを復号できないため送信できません。シークレットを再発行してから再送してください。"
)


@dataclass(frozen=True)
class Result:
    """How an attempt ended, as the delivery log records it."""

    outcome: str  # WebhookAttempt.Outcome, before the attempt limit is applied
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    retry_after: int | None = None


# An attempt that could not even be signed (see tasks._claim).
UNSIGNABLE = Result(WebhookAttempt.Outcome.FAILED, error=str(SECRET_UNREADABLE))
_ATTEMPTS = PreparedInsert(WebhookAttempt)


def payload_body(event: WebhookEvent) -> bytes:
    """The JSON body of every delivery of `event`: the same bytes on every retry."""
    return json.dumps(event.payload(), ensure_ascii=False, separators=(",", ":")).encode()


def request_headers(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes, now: datetime
) -> dict[str, str]:
    """Content type, what the event is, and the signature with every live secret."""
    live = [signing.secret_decrypt(endpoint.secret_encrypted)]
    if endpoint.has_previous_secret(now):
        # The old secret only helps during the overlap; if it cannot be read any more (it
        # was rotated away because of that), the new one signs alone.
        with contextlib.suppress(InvalidToken):
            live.append(signing.secret_decrypt(endpoint.previous_secret_encrypted))
    signature = signing.signature_make(secrets=live, timestamp=int(now.timestamp()), body=body)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Worksadmin-Event": delivery.event.type,
        "X-Worksadmin-Delivery": str(delivery.pk),
        signing.SIGNATURE_HEADER: signature,
    }


def result_of_response(response: transport.Response) -> Result:
    """2xx succeeds; 408, 429 and 5xx are tried again; anything else (3xx: redirects are
    not followed; 4xx) is the receiver's final answer."""
    status = response.status
    if 200 <= status < 300:
        outcome = WebhookAttempt.Outcome.SUCCEEDED
    elif status >= 500 or status in RETRIED_STATUSES:
        outcome = WebhookAttempt.Outcome.RETRY
    else:
        outcome = WebhookAttempt.Outcome.FAILED
    excerpt = response.body.decode("utf-8", "replace")
    if response.truncated or len(excerpt) > EXCERPT_CHARS:
        excerpt = excerpt[:EXCERPT_CHARS] + "…"
    return Result(outcome, status, excerpt, retry_after=_seconds(response.retry_after))


def result_of_error(error: Exception) -> Result:
    """A URL we refuse to call is final; the network failing on the way is worth a retry."""
    if isinstance(error, transport.BlockedDestination):
        return Result(WebhookAttempt.Outcome.FAILED, error=str(error.message))
    return Result(WebhookAttempt.Outcome.RETRY, error=str(error)[:300])


def _seconds(retry_after: str | None) -> int | None:
    if retry_after and retry_after.strip().isdigit():
        return min(int(retry_after), MAX_RETRY_AFTER_SECONDS)
    return None


def retry_delay(attempts: int, retry_after: int | None) -> timedelta:
    """WEBHOOK_RETRY_BASE_SECONDS, doubled after each attempt; longer if the receiver asked."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return timedelta(seconds=max(seconds, retry_after or 0))


def lease_seconds() -> float:
    """How long an attempt may take (the transport's deadline) plus a margin: after this, an
    attempt whose worker died is made again."""
    return 3 * settings.WEBHOOK_TIMEOUT_SECONDS + 60


def attempt_log(
    delivery: WebhookDelivery, *, number: int, at: datetime, result: Result, duration_ms=None
) -> WebhookAttempt:
    entry = attempt_entry(delivery, number=number, at=at, result=result, duration_ms=duration_ms)
    return _ATTEMPTS.insert(entry)


def attempt_entry(
    delivery: WebhookDelivery, *, number: int, at: datetime, result: Result, duration_ms=None
) -> WebhookAttempt:
    """An attempt as the delivery log keeps it, not yet saved."""
    return WebhookAttempt(
        delivery=delivery,
        number=number,
        attempted_at=at,
        outcome=result.outcome,
        status_code=result.status_code,
        duration_ms=duration_ms,
        response_excerpt=result.excerpt,
        error=result.error[:300],
    )


def attempt_log_interrupted(delivery: WebhookDelivery) -> None:
    """The previous attempt's worker died before it could say how the attempt ended."""
    attempt_log(
        delivery,
        number=delivery.attempts,
        at=delivery.last_attempt_at or delivery.lease_until,
        result=Result(WebhookAttempt.Outcome.INTERRUPTED, error=str(INTERRUPTED)),
    )


_TABLE = WebhookDelivery._meta.db_table


def pending_sql(alias: str) -> str:
    """SQL: the delivery `alias` is pending. PENDING is written in, not bound: a generic plan
    of `status = $1` cannot use the index of pending deliveries (partial,
    webhook_pending_in_order) and walked the whole log by its key instead."""
    return f"{alias}.status = 'PENDING'"


def same_customer_pending_sql(alias: str, *, endpoint: str, customer: str, id_is: str) -> str:
    """SQL (FROM … WHERE …): the pending deliveries `alias` of `endpoint` about `customer`
    whose id `id_is` (`"< x.id"`, say): the order rule per customer, a probe of
    webhook_pending_in_order. Its arguments are SQL: column names, never input."""
    return (
        f"FROM {_TABLE} {alias} WHERE {pending_sql(alias)}"  # noqa: S608 - no input
        f" AND {alias}.endpoint_id = {endpoint} AND {alias}.works_group_id = {customer}"
        f" AND {alias}.id {id_is}"
    )


# The checks of the order per customer below probe the pending index.
PENDING_SQL = pending_sql(_TABLE)
IS_PENDING = RawSQL(PENDING_SQL, (), BooleanField())  # noqa: S611 - constant SQL


def earlier_pending(delivery: WebhookDelivery) -> bool:
    """Does an earlier delivery of the same endpoint about the same customer still wait?

    Locked (FOR UPDATE): if that delivery is being settled right now, wait for the outcome,
    so that its settlement and this check cannot both miss each other.
    """
    earlier = WebhookDelivery.objects.select_for_update().filter(
        IS_PENDING,
        endpoint_id=delivery.endpoint_id,
        works_group_id=delivery.works_group_id,
        pk__lt=delivery.pk,
    )
    return bool(list(earlier.values_list("pk", flat=True)[:1]))


def next_in_line(delivery: WebhookDelivery) -> int | None:
    """The delivery that waited for `delivery`, if any."""
    return (
        WebhookDelivery.objects.filter(
            IS_PENDING,
            endpoint_id=delivery.endpoint_id,
            works_group_id=delivery.works_group_id,
            pk__gt=delivery.pk,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def next_in_line_of(deliveries: list[WebhookDelivery]) -> list[int]:
    """next_in_line() of each of `deliveries` (settled in this transaction), in one query
    for those about a customer: a probe of the pending index per delivery."""
    following = [next_in_line(delivery) for delivery in deliveries if not delivery.works_group_id]
    settled = [(d.endpoint_id, d.works_group_id, d.pk) for d in deliveries if d.works_group_id]
    if settled:
        rows = ", ".join(
            ["(CAST(%s AS bigint), CAST(%s AS bigint), CAST(%s AS bigint))"] * len(settled)
        )
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_IN_LINE_SQL % rows, [value for row in settled for value in row])
            following += [pk for (pk,) in cursor.fetchall()]
    return [pk for pk in dict.fromkeys(following) if pk is not None]


# For each settled delivery (endpoint, customer, id), the first pending one after it: a
# subquery per row, which PostgreSQL plans as a probe of webhook_pending_in_order whatever its
# statistics say (an IN list of customers was read as a filter over every pending delivery
# of the endpoint: 20 ms a batch among 18,000). VALUES names its columns column1, column2, …
# in PostgreSQL and SQLite alike.
_FOLLOWING = same_customer_pending_sql(
    "pending", endpoint="settled.column1", customer="settled.column2", id_is="> settled.column3"
)
_NEXT_IN_LINE_SQL = (
    f"SELECT (SELECT pending.id {_FOLLOWING} ORDER BY pending.id LIMIT 1)"  # noqa: S608
    " FROM (VALUES %s) AS settled"
)


def endpoint_count_failure(endpoint: WebhookEndpoint, now: datetime) -> None:
    """One more delivery given up; after WEBHOOK_DISABLE_AFTER_FAILURES in a row the endpoint
    is switched off and the partner's staff are e-mailed. `endpoint` is locked."""
    endpoint.failure_streak += 1
    fields = ["failure_streak", "updated_at"]
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if endpoint.is_active and limit and endpoint.failure_streak >= limit:
        endpoint.is_active = False
        endpoint.disabled_reason = WebhookEndpoint.DisabledReason.FAILURES
        endpoint.disabled_at = now
        fields += ["is_active", "disabled_reason", "disabled_at"]
        _notify_disabled(endpoint, now)
    endpoint.save(update_fields=fields)


def _notify_disabled(endpoint: WebhookEndpoint, now: datetime) -> None:
    audit_record(
        action=AuditEvent.Action.WEBHOOK_DISABLED,
        partner=endpoint.partner,
        details={
            "webhook_id": endpoint.pk,
            "url": endpoint.url,
            "failures": endpoint.failure_streak,
        },
        now=now,
    )
    staff = endpoint.partner.staff.filter(is_active=True).order_by("email")
    recipients = list(staff.values_list("email", flat=True))
    if recipients:
        email_queue(
            template="webhook_disabled",
            to=recipients,
            context={"url": endpoint.url, "failures": endpoint.failure_streak},
            language="ja",
            partner=endpoint.partner,
        )
