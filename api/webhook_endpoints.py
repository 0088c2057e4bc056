"""Webhooks by program: a partner system registers its endpoints, reads their delivery log and
sends a delivery again. The same services and checks as the partner console's Webhook page;
another partner's webhook or delivery is a 404, as on the page."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from webhooks import selectors, services
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .errors import InvalidParameter
from .responses import READS, documented, errors_of, meanings
from .schemas import (
    RedeliveryAccepted,
    Webhook,
    WebhookCreateRequest,
    WebhookDeliveryList,
    WebhookList,
    WebhookMaybeWithSecret,
    WebhookUpdateRequest,
    WebhookWithSecret,
)

router = Router(tags=["webhooks"])

WEBHOOKS = "/partners/webhooks"
WEBHOOK = "/partners/webhooks/{int:webhookId}"
BAD_CURSOR = _("cursor には前の応答の nextCursor を指定してください。")

NO_WEBHOOK = "No such webhook of this partner (another partner's webhook is not found either)."
READ = meanings(READS)
ONE = meanings((*READS, 404), m404=NO_WEBHOOK)
CREATE = meanings(
    (400, *READS, 409),
    m400="A missing or malformed field; a URL that is not https:// to a public address; no events.",
    m409="The partner already has WEBHOOK_MAX_ENDPOINTS webhooks.",
)
UPDATE = {400: CREATE[400], **ONE}
DELIVERIES = {400: "A malformed `limit` or `cursor`.", **ONE}
REDELIVER = {
    **ONE,
    404: "No such delivery of this webhook (another partner's is not found either).",
    409: "An attempt is on its way, or the webhook is switched off.",
}


class DeliveryQuery(Schema):
    limit: int = Field(20, ge=1, le=100, description="Deliveries per page, newest first.")
    cursor: str | None = Field(None, description="`responseMetaData.nextCursor` of a page.")


def _webhook(endpoint: WebhookEndpoint) -> dict:
    return {
        "webhookId": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "active": endpoint.is_active,
        "disabledReason": endpoint.disabled_reason or None,
        "createdAt": endpoint.created_at,
        "secretRotatedAt": endpoint.secret_rotated_at,
    }


def _own(request, webhook_id: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=webhook_id, partner=request.auth.partner)


@router.get(
    WEBHOOKS,
    operation_id="listWebhooks",
    summary="List the partner's webhooks",
    response={200: WebhookList, **errors_of(READ)},
    openapi_extra=documented(200, "The partner's webhooks, oldest first.", errors=READ),
)
def webhook_list(request):
    endpoints = selectors.webhook_endpoint_list(partner=request.auth.partner)
    return {"webhooks": [_webhook(endpoint) for endpoint in endpoints]}


@router.post(
    WEBHOOKS,
    operation_id="createWebhook",
    summary="Register a webhook",
    response={201: WebhookWithSecret, **errors_of(CREATE)},
    openapi_extra=documented(201, "Registered; `secret` is answered this once.", errors=CREATE),
)
def webhook_create(request, payload: WebhookCreateRequest):
    """Events about the partner's customers will be POSTed to `url`, signed with `secret`
    (X-Worksadmin-Signature: t=…,v1=HMAC-SHA256(secret, "t.body"))."""
    endpoint, secret = services.webhook_endpoint_create(
        staff=request.auth.staff,
        url=payload.url,
        events=payload.events,
        description=payload.description,
        is_active=payload.active,
    )
    return Status(201, {**_webhook(endpoint), "secret": secret})


@router.get(
    WEBHOOK,
    operation_id="getWebhook",
    summary="Read a webhook",
    response={200: Webhook, **errors_of(ONE)},
    openapi_extra=documented(200, "The webhook (never its secret).", errors=ONE),
)
def webhook_get(request, webhookId: int):  # noqa: N803 - the path's name
    return _webhook(_own(request, webhookId))


@router.patch(
    WEBHOOK,
    operation_id="updateWebhook",
    summary="Change a webhook, switch it on or off, or rotate its secret",
    response={200: WebhookMaybeWithSecret, **errors_of(UPDATE)},
    openapi_extra=documented(
        200, "Changed; `secret` is the new one if it was rotated.", errors=UPDATE
    ),
)
def webhook_update(request, webhookId: int, payload: WebhookUpdateRequest):  # noqa: N803
    endpoint = _own(request, webhookId)
    values = {
        "url": payload.url,
        "events": payload.events,
        "description": payload.description,
        "is_active": payload.active,
    }
    secret = None
    with transaction.atomic():  # the change and the rotation, or neither
        endpoint = services.webhook_endpoint_update(
            endpoint=endpoint, by=request.auth.staff, values=values
        )
        if payload.rotateSecret:
            endpoint, secret = services.webhook_secret_rotate(
                endpoint=endpoint, by=request.auth.staff
            )
    return {**_webhook(endpoint), "secret": secret}


@router.delete(
    WEBHOOK,
    operation_id="deleteWebhook",
    summary="Delete a webhook",
    response={204: None, **errors_of(ONE)},
    openapi_extra=documented(
        204, "Deleted, with its deliveries; nothing more is sent.", errors=ONE
    ),
)
def webhook_delete(request, webhookId: int):  # noqa: N803
    services.webhook_endpoint_delete(endpoint=_own(request, webhookId), by=request.auth.staff)
    return Status(204, None)


@router.get(
    WEBHOOK + "/deliveries",
    operation_id="listWebhookDeliveries",
    summary="Read a webhook's delivery log",
    response={200: WebhookDeliveryList, **errors_of(DELIVERIES)},
    openapi_extra=documented(
        200, "Deliveries newest first, each with its attempts.", errors=DELIVERIES
    ),
)
def delivery_list(request, webhookId: int, query: Query[DeliveryQuery]):  # noqa: N803
    deliveries = selectors.webhook_delivery_list(endpoint=_own(request, webhookId))
    if query.cursor is not None:
        if not query.cursor.isdigit():
            raise InvalidParameter(BAD_CURSOR)
        deliveries = deliveries.filter(pk__lt=int(query.cursor))
    page = list(deliveries[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    return {
        "deliveries": [_delivery(delivery) for delivery in page],
        "responseMetaData": {"nextCursor": str(page[-1].pk) if more else None},
    }


def _delivery(delivery: WebhookDelivery) -> dict:
    return {
        "deliveryId": delivery.pk,
        "eventId": str(delivery.event_id),
        "eventType": delivery.event.type,
        "domain": delivery.event.data.get("domain"),
        "status": delivery.status,
        "attempts": delivery.attempts,
        "createdAt": delivery.created_at,
        "nextAttemptAt": delivery.next_attempt_at,
        "deliveredAt": delivery.delivered_at,
        "lastStatusCode": delivery.last_status_code,
        "attemptLog": [
            {
                "attemptedAt": attempt.attempted_at,
                "outcome": attempt.outcome,
                "statusCode": attempt.status_code,
                "durationMs": attempt.duration_ms,
                "responseExcerpt": attempt.response_excerpt,
                "error": attempt.error,
            }
            for attempt in delivery.attempt_log.all()
        ],
    }


@router.post(
    WEBHOOK + "/deliveries/{int:deliveryId}/redeliver",
    operation_id="redeliverWebhookDelivery",
    summary="Send a delivery again",
    response={202: RedeliveryAccepted, **errors_of(REDELIVER)},
    openapi_extra=documented(
        202, "Queued: the same event (same id) is sent again.", errors=REDELIVER
    ),
)
def delivery_redeliver(request, webhookId: int, deliveryId: int):  # noqa: N803
    delivery = get_object_or_404(WebhookDelivery, pk=deliveryId, endpoint=_own(request, webhookId))
    delivery = services.webhook_delivery_redeliver(delivery=delivery, by=request.auth.staff)
    return Status(202, {"deliveryId": delivery.pk, "status": delivery.status})
