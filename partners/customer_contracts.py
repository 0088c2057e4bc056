"""The partner API's customers: the calling partner's list by company name, page by page,
and one customer."""

import functools
from dataclasses import dataclass

from django.db.models import Q, QuerySet

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


# What a customer in the list shows (api/customers.py): each row's three instances are built
# with these columns only (a page of 11 rows built with all ~45 was a third of the call).
CUSTOMER_LIST_FIELDS = (
    "partner",
    "completed_at",
    "works_group__domain",
    "works_group__plan",
    *(
        f"works_group__company_info__{name}"
        for name in ("company_name", "phone", "time_zone", "language")
    ),
)


@dataclass(frozen=True)
class CustomerPage:
    contracts: list[PartnerContract]
    next_cursor: str | None  # None on the last page


def _customer_contracts(partner: int) -> QuerySet[PartnerContract]:
    return PartnerContract.objects.filter(partner=partner).select_related(
        "works_group__company_info"
    )


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
    return contracts.only(*CUSTOMER_LIST_FIELDS).order_by(
        *(f"-{key}" if descending else key for key in sort)
    )


# Compiled once per order and shape (domain or not, first page or not).
_CUSTOMERS_BY_NAME = {
    descending: PreparedList(functools.partial(_customer_contracts_by_name, descending))
    for descending in (False, True)
}


def _with_partner(contracts: list[PartnerContract], partner: Partner) -> list[PartnerContract]:
    """Every contract listed is `partner`'s: it is set on them rather than joined per row."""
    for contract in contracts:
        contract.partner = partner
    return contracts


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
    rows = _with_partner(_CUSTOMERS_BY_NAME[descending].rows(0, count + 1, **values), partner)
    if len(rows) <= count:
        return CustomerPage(contracts=rows, next_cursor=None)
    last = rows[count - 1]
    position = {
        "listing": listing,
        "name": last.works_group.company_info.company_name,
        "id": last.works_group_id,
    }
    return CustomerPage(
        contracts=rows[:count], next_cursor=cursor_encode(position, salt=CUSTOMER_CURSOR_SALT)
    )


def _after(name: str, group_id: int, descending: bool) -> Q:
    """The rows that sort after (name, group_id): a row comparison spelled out for the ORM."""
    beyond = "lt" if descending else "gt"
    return Q(**{f"{CUSTOMER_SORT_NAME}__{beyond}": name}) | Q(
        **{CUSTOMER_SORT_NAME: name, f"{CUSTOMER_SORT_TIEBREAK}__{beyond}": group_id}
    )


def customer_contract_get(*, partner: Partner, domain_id: int) -> PartnerContract | None:
    """The contract of the group `domain_id` if it switched to `partner`; None otherwise (a
    group that exists but is another partner's customer reads the same as none)."""
    contracts = list(_customer_contracts(partner.pk).filter(works_group_id=domain_id)[:1])
    return _with_partner(contracts, partner)[0] if contracts else None
