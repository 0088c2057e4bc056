"""The API's request and response bodies. They validate what comes in, shape what goes out and
are the OpenAPI document's schemas, so the three cannot drift apart."""

from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StrictStr

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


class SandboxCustomerCreated(Schema):
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


class SandboxCustomerReset(Schema):
    domain: str
    partnerCode: str | None = Field(  # noqa: N815
        description="A fresh code, when the customer was created with one (the old one is gone)."
    )


class SandboxCodeMoved(Schema):
    domain: str
    status: Literal["EXPIRED", "LAPSED"] = Field(
        description="What the customer's open code now is, recorded as the expiry job records it."
    )
