"""The API's request and response bodies. They validate what comes in, shape what goes out and
are the OpenAPI document's schemas, so the three cannot drift apart."""

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
