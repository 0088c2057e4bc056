"""The API's request and response bodies. They validate what comes in, shape what goes out and
are the OpenAPI document's schemas, so the three cannot drift apart."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictStr

ProductId = Literal["FR", "STD", "ADV"]


class Error(Schema):
    """Every error: a stable code for programs, a description for people (Japanese)."""

    code: str = Field(description="Stable, for programs.")
    description: str = Field(description="For people.")


class PotentialCustomer(Schema):
    tenantId: int  # noqa: N815 - the LINE WORKS API's names
    domainId: int  # noqa: N815
    domain: str
    productId: ProductId = Field(  # noqa: N815
        description="The current plan: FR (free), STD (standard), ADV (advanced)."
    )
    notHandledApps: list[str] = Field(  # noqa: N815
        description="Apps the customer uses that the partner does not handle."
    )


class TransferRequest(Schema):
    partnerCode: StrictStr = Field(  # noqa: N815
        description="The customer's 20-character partner code (any case; spaces and hyphens "
        "are ignored)."
    )
    enablePartnerProfileDisplay: StrictBool = Field(  # noqa: N815
        description="Show the partner's public profile to the customer in its wizard."
    )


class TransferAccepted(Schema):
    domain: str
    status: Literal["VERIFIED"]


# Webhooks ------------------------------------------------------------------------------

EventTypeName = Literal[
    "code.verified", "code.declined", "code.lapsed", "switch.completed", "sandbox.customer_reset"
]


class Webhook(Schema):
    webhookId: int  # noqa: N815
    url: str
    description: str
    events: list[EventTypeName]
    active: bool
    disabledReason: Literal["STAFF", "FAILURES"] | None = Field(  # noqa: N815
        description="Why the webhook is off: switched off by the partner, or after failed "
        "deliveries in a row (see WEBHOOK_DISABLE_AFTER_FAILURES)."
    )
    createdAt: datetime  # noqa: N815
    secretRotatedAt: datetime | None  # noqa: N815


class WebhookWithSecret(Webhook):
    secret: str = Field(
        description="The signing secret (`whsec_…`). It is shown in this answer only."
    )


class WebhookMaybeWithSecret(Webhook):
    secret: str | None = Field(
        description="The new signing secret when `rotateSecret` was true (shown this once); "
        "null otherwise."
    )


class WebhookList(Schema):
    webhooks: list[Webhook]


class WebhookCreateRequest(Schema):
    url: StrictStr = Field(description="https:// and a public address.")
    events: list[EventTypeName] = Field(description="The event types to send (at least one).")
    description: StrictStr = ""
    active: StrictBool = True


class WebhookUpdateRequest(Schema):
    url: StrictStr | None = None
    events: list[EventTypeName] | None = None
    description: StrictStr | None = None
    active: StrictBool | None = Field(
        None, description="Switching a webhook on again resumes the deliveries it missed."
    )
    rotateSecret: StrictBool = Field(  # noqa: N815
        False,
        description="Issue a new secret (answered once). The old one keeps signing beside it "
        "for WEBHOOK_SECRET_OVERLAP_HOURS.",
    )


class WebhookAttempt(Schema):
    attemptedAt: datetime  # noqa: N815
    outcome: Literal["SUCCEEDED", "RETRY", "FAILED", "INTERRUPTED"]
    statusCode: int | None  # noqa: N815
    durationMs: int | None  # noqa: N815
    responseExcerpt: str = Field(description="The start of the answer's body, truncated.")  # noqa: N815
    error: str


class WebhookDelivery(Schema):
    deliveryId: int  # noqa: N815
    eventId: str = Field(description="The event's id: the same on every delivery and retry.")  # noqa: N815
    eventType: EventTypeName  # noqa: N815
    domain: str | None
    status: Literal["PENDING", "SUCCEEDED", "FAILED"]
    attempts: int
    createdAt: datetime  # noqa: N815
    nextAttemptAt: datetime | None  # noqa: N815
    deliveredAt: datetime | None  # noqa: N815
    lastStatusCode: int | None  # noqa: N815
    attemptLog: list[WebhookAttempt] = Field(description="Newest first.")  # noqa: N815


class ResponseMetaData(Schema):
    nextCursor: str | None = Field(  # noqa: N815
        description="Pass as `cursor` for the next page; null on the last one."
    )


class WebhookDeliveryList(Schema):
    deliveries: list[WebhookDelivery]
    responseMetaData: ResponseMetaData  # noqa: N815


class RedeliveryAccepted(Schema):
    deliveryId: int  # noqa: N815
    status: Literal["PENDING"]
