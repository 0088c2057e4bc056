"""Events about a partner's customers, and sending a delivery again."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, Partner, User, WorksGroup
from accounts.services import audit_record
from core.prepared import PreparedInsert, PreparedList

from .. import errors
from ..models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..tasks import delivery_kick

# Every event reads its partner's endpoints: the query is compiled once (core.prepared).
_EVENTS = PreparedInsert(WebhookEvent)
_DELIVERIES = PreparedInsert(WebhookDelivery)
_ACTIVE_ENDPOINTS = PreparedList(
    lambda partner: WebhookEndpoint.objects.filter(partner=partner, is_active=True)
)


@transaction.atomic(savepoint=False)  # inside the change's transaction: no savepoint of its own
def webhook_event_record(
    *,
    type: EventType | str,  # noqa: A002 - the event's `type`, as the payload names it
    partner: Partner,
    works_group: WorksGroup | None,
    data: dict,
    now: datetime | None = None,
) -> WebhookEvent:
    """Record an event about one customer of `partner`, with a delivery to each of the
    partner's active endpoints that subscribe to its type.

    Call it inside the transaction of the change it reports: the event, its deliveries and
    (with the database queue) their tasks commit or roll back with that change. Nothing here
    waits on a receiver.
    """
    event = _EVENTS.create(
        type=type,
        partner=partner,
        works_group=works_group,
        data=data,
        created_at=now or timezone.now(),
    )
    for endpoint in _ACTIVE_ENDPOINTS.rows(0, None, partner=partner.pk):
        if endpoint.subscribes_to(event.type):
            delivery = _DELIVERIES.create(
                event=event, endpoint=endpoint, works_group=works_group, created_at=event.created_at
            )
            delivery_kick(delivery.pk)
    return event


@transaction.atomic
def webhook_delivery_redeliver(
    *, delivery: WebhookDelivery, by: User, now: datetime | None = None
) -> WebhookDelivery:
    """「再送」: send the same event (same id) to the endpoint again, from a first attempt.

    A delivery that succeeded or failed starts over; one still waiting for its retry is
    attempted now. Refused while an attempt is on its way, and while the endpoint is off.
    Deliveries keep their order: an earlier pending one about the same customer goes first.
    """
    now = now or timezone.now()
    if not (by.is_partner_staff and by.partner_id == delivery.endpoint.partner_id):
        raise errors.NotAllowed(errors.OTHER_PARTNERS_WEBHOOK)
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .get(pk=delivery.pk)
    )
    if delivery.is_in_flight(now):
        raise errors.DeliveryInFlight
    if not delivery.endpoint.is_active:
        raise errors.EndpointDisabled
    previous = delivery.status
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.lease_until = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until"])
    audit_record(
        action=AuditEvent.Action.WEBHOOK_REDELIVERED,
        actor=by,
        partner=delivery.endpoint.partner,
        details={
            "webhook_id": delivery.endpoint_id,
            "delivery_id": delivery.pk,
            "event_id": str(delivery.event_id),
            "previous_status": previous,
        },
        now=now,
    )
    delivery_kick(delivery.pk)
    return delivery
