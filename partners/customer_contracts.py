"""The partner API's customers: the calling partner's list by company name, page by page,
and one customer."""

import functools
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from accounts.models import Partner
from core.cursors import cursor_decode, cursor_encode
from core.prepared import PreparedList

from . import errors
from .models import PartnerContract

CUSTOMER_CURSOR_SALT = "partners.customer-contract-list"
# Both keys from 会社情報, so that its index (switched_to, company_name, works_group) gives a
# partner's customers in order and a page is read by walking it, whatever the partner's share
# of all groups (tests/perf/test_customer_list_plan.py).
CUSTOMER_SORT_NAME = "works_group__company_info__company_name"
CUSTOMER_SORT_TIEBREAK = "works_group__company_info__works_group_id"


# What a customer in the list (and one customer) shows, api/customers.py: a row of the
# contract's `completed_at` and these, read as `.values()` (a page of 11 rows as model
# instances, three per row, was a sixth of the call; built with all ~45 columns, a third).
# Named apart from the contract's own fields (its `company_name` is the one agreed at the
# switch; the list shows 会社情報's).
CUSTOMER_ROW = {
    "domain_id": F("works_group_id"),
    "domain": F("works_group__domain"),
    "plan": F("works_group__plan"),
    "name": F("works_group__company_info__company_name"),
    "phone": F("works_group__company_info__phone"),
    "time_zone": F("works_group__company_info__time_zone"),
    "language": F("works_group__company_info__language"),
}


def _rows(contracts: QuerySet[PartnerContract]) -> QuerySet[PartnerContract]:
    return contracts.values("completed_at", **CUSTOMER_ROW)


@dataclass(frozen=True)
class CustomerPage:
    customers: list[dict]  # `completed_at` and CUSTOMER_ROW's names
    next_cursor: str | None  # None on the last page


def _customer_contracts(partner: int) -> QuerySet[PartnerContract]:
    return PartnerContract.objects.filter(partner=partner)


def _customer_contracts_by_name(
    descending: bool,
    *,
    partner: int,
    domain: str | None = None,
    name: str | None = None,
    group: int | None = None,
) -> QuerySet[PartnerContract]:
    """The list's query: only `domain`'s if given, after (`name`, `group`) if given."""
    # 会社情報 notes the partner of the group's contract (switched_to), and the list walks
    # that; the contract's own partner is checked too, as the record.
    contracts = _customer_contracts(partner).filter(works_group__company_info__switched_to=partner)
    if domain is not None:
        contracts = contracts.filter(works_group__domain=domain)
    if name is not None:
        contracts = contracts.filter(_after(name, group, descending))
    sort = [CUSTOMER_SORT_NAME, CUSTOMER_SORT_TIEBREAK]
    return _rows(contracts.order_by(*(f"-{key}" if descending else key for key in sort)))


# Compiled once per order and shape (domain or not, first page or not).
_CUSTOMERS_BY_NAME = {
    descending: PreparedList(functools.partial(_customer_contracts_by_name, descending))
    for descending in (False, True)
}


def customer_contract_list(
    *,
    partner: Partner,
    domain: str | None = None,
    descending: bool = False,
    cursor: str | None = None,
    count: int = 10,
) -> CustomerPage:
    """One page of the customers that switched to `partner`, by company name (then domain ID),
    with the cursor of the next page.

    Keyset pagination: a page starts after the last row of the one before, so rows inserted
    meanwhile never shift a page and none is shown twice or skipped; no COUNT(*), one query
    per page whatever its position. A cursor is only good for the listing it came from (same
    partner, order and domain filter); any other is `InvalidCursor`.
    """
    listing = {"p": partner.pk, "desc": descending, "d": domain or ""}
    values = {"partner": partner.pk}
    if domain:
        values["domain"] = domain.strip().lower()
    if cursor:
        position = cursor_decode(cursor, salt=CUSTOMER_CURSOR_SALT)
        if position is None or position.get("listing") != listing:
            raise errors.InvalidCursor
        values.update(name=position["name"], group=position["id"])
    rows = _CUSTOMERS_BY_NAME[descending].rows(0, count + 1, **values)
    if len(rows) <= count:
        return CustomerPage(customers=rows, next_cursor=None)
    last = rows[count - 1]
    position = {"listing": listing, "name": last["name"], "id": last["domain_id"]}
    return CustomerPage(
        customers=rows[:count], next_cursor=cursor_encode(position, salt=CUSTOMER_CURSOR_SALT)
    )


def _after(name: str, group_id: int, descending: bool) -> Q:
    """The rows that sort after (name, group_id): a row comparison spelled out for the ORM."""
    beyond = "lt" if descending else "gt"
    return Q(**{f"{CUSTOMER_SORT_NAME}__{beyond}": name}) | Q(
        **{CUSTOMER_SORT_NAME: name, f"{CUSTOMER_SORT_TIEBREAK}__{beyond}": group_id}
    )


def customer_get(*, partner: Partner, domain_id: int) -> dict | None:
    """The row (`_rows`) of the group `domain_id` if it switched to `partner`; None otherwise
    (a group that exists but is another partner's customer reads the same as none)."""
    return _rows(_customer_contracts(partner.pk).filter(works_group_id=domain_id)).first()


def customer_contract_get(*, partner: Partner, domain_id: int) -> PartnerContract | None:
    """The contract of the group `domain_id` if it switched to `partner` (its group and
    会社情報 with it); None otherwise, as `customer_get`."""
    contracts = _customer_contracts(partner.pk).filter(works_group_id=domain_id)
    return contracts.select_related("works_group__company_info").first()
