"""The API's request and response bodies. They validate what comes in, shape what goes out and
are the OpenAPI document's schemas, so the three cannot drift apart."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from accounts.models import WorksApp


class Body(BaseModel):
    """A response body. The views build them as dicts, so pydantic validates them alone:
    Ninja's `Schema` (kept for the request bodies) first wraps every object in a getter for
    model attributes, which cost a third of the customer list's response time (ten
    customers, each with its partnership). The OpenAPI document is the same either way."""


ProductId = Literal["FR", "STD", "ADV"]
PRODUCT_ID_MEANING = "FR (free), STD (standard), ADV (advanced)."


class Error(Body):
    """Every error: a stable code for programs, a description for people (Japanese)."""

    code: str = Field(description="Stable, for programs.")
    description: str = Field(description="For people.")


class PotentialCustomer(Body):
    tenantId: int  # noqa: N815 - the LINE WORKS API's names
    domainId: int  # noqa: N815
    domain: str
    productId: ProductId = Field(  # noqa: N815
        description="The current plan: " + PRODUCT_ID_MEANING
    )
    productIds: list[ProductId] = Field(  # noqa: N815
        description="The products the customer uses (today one: its plan)."
    )
    notHandledApps: list[str] = Field(  # noqa: N815
        description="Apps the customer uses that the partner does not handle, by key: "
        + ", ".join(f"`{key}` ({label})" for key, label in WorksApp.choices)
        + ".",
        examples=[[WorksApp.DRIVE.value, WorksApp.MAIL.value]],
    )


class TransferRequest(Schema):
    partnerCode: StrictStr = Field(  # noqa: N815
        description="The customer's 20-character partner code (any case; spaces and hyphens "
        "are ignored)."
    )
    enablePartnerProfileDisplay: StrictBool = Field(  # noqa: N815
        description="Show the partner's public profile to the customer in its wizard."
    )


class TransferAccepted(Body):
    domain: str
    status: Literal["VERIFIED"]


class Partnership(Body):
    partnerId: int  # noqa: N815
    partnerName: str  # noqa: N815
    completedTime: datetime = Field(  # noqa: N815
        description="When the switch to the partner completed (the customer's time zone)."
    )


class Customer(Body):
    """A customer that switched to buying through the calling partner."""

    tenantId: int  # noqa: N815
    domainId: int  # noqa: N815
    domain: str
    productId: ProductId = Field(description="The current plan: " + PRODUCT_ID_MEANING)  # noqa: N815
    companyName: str = Field(description="企業/団体名")  # noqa: N815
    phoneNumber: str = Field(description="電話番号")  # noqa: N815
    timeZone: str = Field(description="利用地域: an IANA time zone.")  # noqa: N815
    locale: Literal["ja_JP", "en_US", "ko_KR", "zh_TW", "zh_CN"]
    domainType: Literal["DOMAIN", "GROUP"] = Field(  # noqa: N815
        description="GROUP for a group name (no dot), DOMAIN for a domain name."
    )
    partnership: Partnership


# Webhooks ------------------------------------------------------------------------------

EventTypeName = Literal[
    "code.verified", "code.declined", "code.lapsed", "switch.completed", "sandbox.customer_reset"
]


class Webhook(Body):
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


class WebhookList(Body):
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


class WebhookAttempt(Body):
    attemptedAt: datetime  # noqa: N815
    outcome: Literal["SUCCEEDED", "RETRY", "FAILED", "INTERRUPTED"]
    statusCode: int | None  # noqa: N815
    durationMs: int | None  # noqa: N815
    responseExcerpt: str = Field(description="The start of the answer's body, truncated.")  # noqa: N815
    error: str


class WebhookDelivery(Body):
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


class ResponseMetaData(Body):
    nextCursor: str | None = Field(  # noqa: N815
        description="Pass it as `cursor` (URL-encoded) for the next page; null on the last."
    )


class CustomerList(Body):
    customers: list[Customer]
    responseMetaData: ResponseMetaData  # noqa: N815


class Settlement(Body):
    """前日までの料金精算: what the customer paid directly for its billing month up to the day
    before the switch, as shown to it before 承認 and stored with the contract."""

    periodStart: date  # noqa: N815
    periodEnd: date  # noqa: N815
    daysElapsed: int  # noqa: N815
    daysInMonth: int  # noqa: N815
    subtotal: int = Field(description="Yen, before consumption tax.")
    tax: int = Field(description="Yen.")
    total: int = Field(description="Yen.")


class Subscription(Body):
    """The plan the customer switched with, as agreed at the switch."""

    domainId: int  # noqa: N815
    productId: ProductId = Field(description=PRODUCT_ID_MEANING)  # noqa: N815
    seats: int = Field(description="Members (メンバー数).")
    unitPrice: int = Field(description="Yen per seat per month, before tax.")  # noqa: N815
    currency: Literal["JPY"]
    startTime: datetime = Field(description="When the partner contract began.")  # noqa: N815
    settlement: Settlement


# The sandbox (api/sandbox.py): every schema's name starts with "Sandbox", so the document
# can leave them out whole while SANDBOX is off.


class SandboxCustomerRequest(Schema):
    productId: ProductId = Field(  # noqa: N815
        "FR", description="The plan to start on: FR (free), STD (standard), ADV (advanced)."
    )
    seats: Annotated[StrictInt, Field(ge=1, le=9999)] = Field(10, description="Members, 1 to 9999.")
    issueCode: StrictBool = Field(  # noqa: N815
        True, description="Issue a partner code at once, so the transfer can be tried."
    )


class SandboxCustomerCreated(Body):
    domain: str = Field(description="ドメイン又はグループ名, unique, `sbx-` and 8 characters.")
    domainId: int  # noqa: N815
    companyName: str  # noqa: N815
    adminEmail: str = Field(description="The super admin's log-in for the admin console.")  # noqa: N815
    adminPassword: str = Field(  # noqa: N815
        description="Generated; shown in this answer only, never again."
    )
    partnerCode: str | None = Field(  # noqa: N815
        description="The code already issued (null when `issueCode` was false)."
    )


class SandboxCustomerReset(Body):
    domain: str
    partnerCode: str | None = Field(  # noqa: N815
        description="A fresh code, when the customer was created with one (the old one is gone)."
    )


class SandboxCodeMoved(Body):
    domain: str
    status: Literal["EXPIRED", "LAPSED"] = Field(
        description="What the customer's open code now is, recorded as the expiry job records it."
    )


class WebhookDeliveryList(Body):
    deliveries: list[WebhookDelivery]
    responseMetaData: ResponseMetaData  # noqa: N815


class RedeliveryAccepted(Body):
    deliveryId: int  # noqa: N815
    status: Literal["PENDING"]
