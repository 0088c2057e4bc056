"""Reads of the webhooks app shared by the partner console, the API and /dev/webhooks/."""

from django.db.models import Prefetch, QuerySet

from accounts.models import Partner

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(*, partner: Partner) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(partner=partner)


def webhook_delivery_list(
    *, endpoint: WebhookEndpoint | None = None, partner: Partner | None = None
) -> QuerySet[WebhookDelivery]:
    """Deliveries newest first, with their event, endpoint and attempts (newest first).

    One endpoint's, one partner's, or (neither given) everyone's, for /dev/webhooks/.
    """
    deliveries = WebhookDelivery.objects.select_related("event", "endpoint__partner")
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    if partner is not None:
        deliveries = deliveries.filter(endpoint__partner=partner)
    attempts = WebhookAttempt.objects.order_by("-attempted_at", "-id")
    return deliveries.order_by("-id").prefetch_related(Prefetch("attempt_log", queryset=attempts))
