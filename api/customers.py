"""The partner's customers, as the LINE WORKS Partner API reads them: the list (cursor
pagination), one customer, and its subscription. Read-only: `partner.read` is enough.

A customer here is a works group that completed the switch to the calling partner; any
other group, whether it exists or not, is 404.
"""

import zoneinfo
from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from accounts.models import Partner
from partners import customer_contracts

from . import refusals
from .potential_customers import PRODUCT_IDS
from .responses import READS, documented, errors_of, meanings
from .schemas import Customer, CustomerList, Subscription

router = Router(tags=["customers"])

MAX_COUNT = 30
MAX_ID = 2**63 - 1  # a bigger number cannot be a row's ID (and the database would refuse it)


class ListQuery(Schema):
    count: int = Field(10, ge=1, le=MAX_COUNT, description="Customers per page (1–30).")
    cursor: str | None = Field(
        None, max_length=1000, description="`responseMetaData.nextCursor` of the page before."
    )
    domain: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$",
        description="Only the customer with this domain.",
    )
    orderBy: Literal["name", "name asc", "name desc"] = Field(  # noqa: N815
        "name asc", description="By company name: `name asc` (default) or `name desc`."
    )


def _local(moment, time_zone: str):
    """In the customer's time zone, to the second, as the LINE WORKS API writes times."""
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).replace(microsecond=0)


def _customer(row: dict, partner: Partner) -> dict:
    """A customer row of `customer_contracts`, as the API writes a customer."""
    return {
        "tenantId": row["domain_id"],
        "domainId": row["domain_id"],
        "domain": row["domain"],
        "productId": PRODUCT_IDS[row["plan"]],
        "companyName": row["name"],
        "phoneNumber": row["phone"],
        "timeZone": row["time_zone"],
        "locale": row["language"],
        "domainType": "DOMAIN" if "." in row["domain"] else "GROUP",
        "partnership": {
            "partnerId": partner.pk,
            "partnerName": partner.name,
            "completedTime": _local(row["completed_at"], row["time_zone"]),
        },
    }


def _found(read, request, domain_id: int):
    """`read(partner=…, domain_id=…)` for the calling partner; 404 if it finds nothing."""
    found = None
    if domain_id <= MAX_ID:
        found = read(partner=request.auth.partner, domain_id=domain_id)
    if found is None:
        raise refusals.CustomerNotFound
    return found


LIST_ERRORS = meanings(
    (400, *READS),
    m400="`count` outside 1–30, an unknown `orderBy`, or a cursor this listing did not hand out.",
)


@router.get(
    "/partners/customers",
    operation_id="listCustomers",
    summary="List the partner's customers, page by page",
    response={200: CustomerList, **errors_of(LIST_ERRORS)},
    openapi_extra=documented(
        200,
        "A page of customers; `responseMetaData.nextCursor` is null on the last page.",
        errors=LIST_ERRORS,
    ),
)
def customer_list(request, query: Query[ListQuery]):
    """The customers that switched to the calling partner, by company name. Each page starts
    after the last row of the page before, so customers added meanwhile never shift a page."""
    page = customer_contracts.customer_contract_list(
        partner=request.auth.partner,
        domain=query.domain,
        descending=query.orderBy == "name desc",
        cursor=query.cursor,
        count=query.count,
    )
    return {
        "customers": [_customer(row, request.auth.partner) for row in page.customers],
        "responseMetaData": {"nextCursor": page.next_cursor},
    }


CUSTOMER_ERRORS = meanings(
    (*READS, 404),
    m404="No customer of the calling partner has this domainId (another partner's customer "
    "reads the same), or an unknown resource.",
)


@router.get(
    "/partners/customers/{int:domainId}",
    operation_id="getCustomer",
    summary="Read one customer",
    response={200: Customer, **errors_of(CUSTOMER_ERRORS)},
    openapi_extra=documented(200, "The customer.", errors=CUSTOMER_ERRORS),
)
def customer_get(request, domainId: int):  # noqa: N803 - the path's name in the real API
    """The customer's company info and its partnership (partner, completion time)."""
    return _customer(
        _found(customer_contracts.customer_get, request, domainId), request.auth.partner
    )


@router.get(
    "/partners/customers/{int:domainId}/subscription",
    operation_id="getCustomerSubscription",
    summary="Read a customer's subscription",
    response={200: Subscription, **errors_of(CUSTOMER_ERRORS)},
    openapi_extra=documented(
        200, "The subscription as agreed at the switch.", errors=CUSTOMER_ERRORS
    ),
)
def customer_subscription(request, domainId: int):  # noqa: N803
    """The plan, seats and unit price the customer switched with, and the settlement
    (前日までの料金精算) stored with the contract."""
    contract = _found(customer_contracts.customer_contract_get, request, domainId)
    settlement = contract.settlement
    return {
        "domainId": contract.works_group_id,
        "productId": PRODUCT_IDS[contract.settlement_plan],
        "seats": contract.settlement_seats,
        "unitPrice": contract.settlement_unit_price,
        "currency": "JPY",
        "startTime": _local(contract.completed_at, contract.works_group.company_info.time_zone),
        "settlement": {
            "periodStart": settlement.period_start,
            "periodEnd": settlement.period_end,
            "daysElapsed": settlement.days_elapsed,
            "daysInMonth": settlement.days_in_month,
            "subtotal": settlement.subtotal,
            "tax": settlement.tax,
            "total": settlement.total,
        },
    }
