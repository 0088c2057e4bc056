"""A partner's endpoints: register, change, switch on and off, rotate the secret, delete.

Only the partner's own staff may touch its endpoints (pages and the API answer 404 for
another partner's before these are called; the check here is the last line).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, Partner, User
from accounts.services import audit_record

from .. import errors, signing, transport
from ..models import EventType, WebhookDelivery, WebhookEndpoint
from ..tasks import delivery_kick

URL_MAX_LENGTH = 500


def url_clean(url: str) -> str:
    """The URL as it will be called; InvalidEndpoint(field="url") if it may not be."""
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise errors.InvalidEndpoint(errors.URL_TOO_LONG, field="url")
    try:
        transport.url_check(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE)
    except transport.BlockedDestination as exc:
        raise errors.InvalidEndpoint(exc.message, field="url") from exc
    return url


def events_clean(events: list[str]) -> list[str]:
    """The subscribed event types, in the order EventType lists them."""
    unknown = [event for event in events if event not in EventType.values]
    if unknown:
        raise errors.InvalidEndpoint(errors.UNKNOWN_EVENT % {"event": unknown[0]}, field="events")
    if not events:
        raise errors.InvalidEndpoint(errors.NO_EVENTS, field="events")
    return [event for event in EventType.values if event in events]


def _require_own(by: User, partner_id: int) -> None:
    if not (by.is_partner_staff and by.is_active):
        raise errors.NotAllowed(errors.STAFF_ONLY)
    if by.partner_id != partner_id:
        raise errors.NotAllowed(errors.OTHER_PARTNERS_WEBHOOK)


@transaction.atomic
def webhook_endpoint_create(
    *,
    staff: User,
    url: str,
    events: list[str],
    description: str = "",
    is_active: bool = True,
    now: datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the staff member's partner, and its signing secret, which is shown
    this once. A partner has at most WEBHOOK_MAX_ENDPOINTS endpoints."""
    now = now or timezone.now()
    _require_own(staff, staff.partner_id)
    url, events = url_clean(url), events_clean(events)
    # Serialises creations for one partner, so that two at once cannot pass the limit.
    # NO KEY: rows that merely reference the partner (audit events) are not held up.
    partner = Partner.objects.select_for_update(no_key=True).get(pk=staff.partner_id)
    limit = settings.WEBHOOK_MAX_ENDPOINTS
    if WebhookEndpoint.objects.filter(partner=partner).count() >= limit:
        raise errors.EndpointLimitReached(limit)
    secret = signing.secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        partner=partner,
        url=url,
        description=description.strip(),
        events=events,
        is_active=is_active,
        disabled_reason="" if is_active else WebhookEndpoint.DisabledReason.STAFF,
        disabled_at=None if is_active else now,
        secret_encrypted=signing.secret_encrypt(secret),
        created_at=now,
        created_by=staff,
    )
    _audit(AuditEvent.Action.WEBHOOK_CREATED, endpoint, staff, now, events=events)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, by: User, values: dict, now: datetime | None = None
) -> WebhookEndpoint:
    """Change `values` (url, events, description, is_active) of an endpoint.

    Switching it on again clears its failure streak and resumes the deliveries that were
    still pending when it went off, in their order (events that happened while it was off
    were not recorded for it).
    """
    now = now or timezone.now()
    _require_own(by, endpoint.partner_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    cleaners = {"url": url_clean, "events": events_clean, "description": str.strip}
    changed = []
    for field in ("url", "events", "description", "is_active"):
        if field in values and values[field] is not None:
            value = cleaners[field](values[field]) if field in cleaners else values[field]
            if getattr(endpoint, field) != value:
                setattr(endpoint, field, value)
                changed.append(field)
    if "is_active" in changed:
        _switch(endpoint, now)
    endpoint.save()
    if changed:
        _audit(AuditEvent.Action.WEBHOOK_UPDATED, endpoint, by, now, changed=changed)
    return endpoint


def _switch(endpoint: WebhookEndpoint, now: datetime) -> None:
    if not endpoint.is_active:
        endpoint.disabled_reason = WebhookEndpoint.DisabledReason.STAFF
        endpoint.disabled_at = now
        return
    endpoint.disabled_reason, endpoint.disabled_at, endpoint.failure_streak = "", None, 0
    pending = endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).order_by("pk")
    first_per_customer = {}
    for delivery_id, group_id in pending.values_list("pk", "works_group_id"):
        first_per_customer.setdefault(group_id, delivery_id)
    for delivery_id in first_per_customer.values():
        delivery_kick(delivery_id)


@transaction.atomic
def webhook_secret_rotate(
    *, endpoint: WebhookEndpoint, by: User, now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, shown this once. For WEBHOOK_SECRET_OVERLAP_HOURS the old one
    signs too (two v1= in the header), so that the receiver can switch without losing
    a delivery."""
    now = now or timezone.now()
    _require_own(by, endpoint.partner_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.secret_generate()
    overlap = timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted if overlap else ""
    endpoint.previous_secret_expires_at = now + overlap if overlap else None
    endpoint.secret_encrypted = signing.secret_encrypt(secret)
    endpoint.secret_rotated_at = now
    endpoint.save()
    _audit(AuditEvent.Action.WEBHOOK_SECRET_ROTATED, endpoint, by, now)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(
    *, endpoint: WebhookEndpoint, by: User, now: datetime | None = None
) -> None:
    """Remove the endpoint with its deliveries and their log; nothing more is sent to it."""
    now = now or timezone.now()
    _require_own(by, endpoint.partner_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    _audit(AuditEvent.Action.WEBHOOK_DELETED, endpoint, by, now)
    endpoint.delete()


def _audit(action: str, endpoint: WebhookEndpoint, by: User, now: datetime, **details) -> None:
    audit_record(
        action=action,
        actor=by,
        partner=endpoint.partner,
        details={"webhook_id": endpoint.pk, "url": endpoint.url, **details},
        now=now,
    )
