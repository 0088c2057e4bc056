"""The partner's customers as the LINE WORKS Partner API reads them: the list, page by page
with a cursor, one customer, and its subscription."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import CompanyInfo, Plan
from partners.tokens import api_token_create
from tests.factories import (
    PartnerCodeFactory,
    PartnerContractFactory,
    PartnerFactory,
    UserFactory,
)
from tests.support import TOKEN_LAST_USE, nothing_written

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/partners/customers"


def _customer_of(partner, name: str, **group):
    return PartnerContractFactory(
        partner=partner,
        code__verified_partner=partner,
        code__works_group__company_info__company_name=name,
        **{f"code__works_group__{field}": value for field, value in group.items()},
    )


def _walk(api, **query) -> tuple[list[str], int]:
    """Every page of the list: the company names in order, and the number of pages."""
    names, pages, cursor = [], 0, None
    while True:
        response = api.get(CUSTOMERS, {**query, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.json()
        body = response.json()
        names += [customer["companyName"] for customer in body["customers"]]
        pages += 1
        cursor = body["responseMetaData"]["nextCursor"]
        if cursor is None:
            return names, pages


def test_a_customer_reads_as_the_line_works_api_shapes_it(api, partner, staff):
    contract = PartnerContractFactory(
        partner=partner,
        code__verified_partner=partner,
        code__verified_by=staff,
        code__works_group__domain="kaisha",
        code__works_group__plan=Plan.ADVANCED,
        completed_at=datetime(2023, 3, 14, 1, 2, 3, tzinfo=ZoneInfo("UTC")),
    )
    group = contract.works_group

    response = api.get(f"{CUSTOMERS}/{group.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "tenantId": group.pk,
        "domainId": group.pk,
        "domain": "kaisha",
        "productId": "ADV",
        "companyName": "kaisha 株式会社",
        "phoneNumber": "03-1234-5678",
        "timeZone": "Asia/Tokyo",
        "locale": "ja_JP",
        "domainType": "GROUP",
        "partnership": {
            "partnerId": partner.pk,
            "partnerName": "ABC 株式会社",
            "completedTime": "2023-03-14T10:02:03+09:00",
        },
    }


def test_a_customer_shows_its_company_info_as_it_is_now_not_as_at_the_switch(api, partner):
    """The contract keeps the company name agreed at the switch; the list and one customer
    show 会社情報's, renamed since, in the customer's time zone as it is now."""
    contract = _customer_of(partner, "旧商号株式会社", domain="acme.example")
    contract.company_name = "旧商号株式会社"
    contract.save()
    CompanyInfo.objects.filter(works_group=contract.works_group).update(
        company_name="新商号株式会社", time_zone="America/New_York", phone="050-0000-0000"
    )

    listed = api.get(CUSTOMERS).json()["customers"]
    one = api.get(f"{CUSTOMERS}/{contract.works_group_id}").json()

    assert listed == [one]
    assert (one["companyName"], one["phoneNumber"], one["timeZone"]) == (
        "新商号株式会社",
        "050-0000-0000",
        "America/New_York",
    )
    assert one["domainType"] == "DOMAIN"
    completed = contract.completed_at.astimezone(ZoneInfo("America/New_York"))
    assert one["partnership"]["completedTime"] == completed.replace(microsecond=0).isoformat()


def test_the_subscription_is_the_one_agreed_at_the_switch(api, partner):
    contract = _customer_of(partner, "水谷建設")
    contract.settlement_plan, contract.settlement_seats = Plan.STANDARD, 25
    contract.settlement_period_start = date(2023, 3, 1)
    contract.settlement_period_end = date(2023, 3, 13)
    contract.settlement_days_in_month = 31
    contract.settlement_subtotal, contract.settlement_tax, contract.settlement_total = (
        5661,
        566,
        6227,
    )
    contract.save()

    response = api.get(f"{CUSTOMERS}/{contract.works_group_id}/subscription")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("productId", "seats", "unitPrice", "currency")} == {
        "productId": "STD",
        "seats": 25,
        "unitPrice": 540,
        "currency": "JPY",
    }
    assert body["settlement"] == {
        "periodStart": "2023-03-01",
        "periodEnd": "2023-03-13",
        "daysElapsed": 13,
        "daysInMonth": 31,
        "subtotal": 5661,
        "tax": 566,
        "total": 6227,
    }


def test_another_partners_customer_is_404_like_no_customer_at_all(api):
    theirs = PartnerContractFactory(partner=PartnerFactory(name="XYZ 株式会社"))
    group = theirs.works_group

    mine = api.get(f"{CUSTOMERS}/{group.pk}")
    nobody = api.get(f"{CUSTOMERS}/999999")

    assert mine.status_code == nobody.status_code == 404
    assert mine.json() == nobody.json()
    assert api.get(f"{CUSTOMERS}/{group.pk}/subscription").status_code == 404


def test_a_group_verified_but_not_switched_is_not_a_customer_yet(api, partner, staff):
    code = PartnerCodeFactory(verified=True, verified_partner=partner, verified_by=staff)

    assert api.get(f"{CUSTOMERS}/{code.works_group_id}").status_code == 404
    assert api.get(CUSTOMERS).json()["customers"] == []


def test_the_list_shows_only_the_partner_s_customers_by_name(api, partner):
    for name in ("さくら商事", "あおば物産", "かもめ工業"):
        _customer_of(partner, name)
    PartnerContractFactory(
        partner=PartnerFactory(), code__works_group__company_info__company_name="他社の顧客"
    )

    body = api.get(CUSTOMERS).json()

    assert [c["companyName"] for c in body["customers"]] == [
        "あおば物産",
        "かもめ工業",
        "さくら商事",
    ]
    assert body["responseMetaData"] == {"nextCursor": None}


def test_a_renamed_customer_moves_to_its_new_place_in_the_list(api, partner):
    for name in ("さくら商事", "あおば物産", "かもめ工業"):
        _customer_of(partner, name)
    info = CompanyInfo.objects.get(company_name="さくら商事")
    info.company_name = "いろは商事"
    info.save()

    assert _walk(api) == (["あおば物産", "いろは商事", "かもめ工業"], 1)


def test_the_list_reads_only_what_the_contract_says(api, partner):
    """会社情報's note of the partner (switched_to) only drives the walk: a group noted as
    this partner's whose contract is another's is not listed."""
    _customer_of(partner, "あおば物産")
    other = PartnerContractFactory(
        partner=PartnerFactory(), code__works_group__company_info__company_name="他社の顧客"
    )
    CompanyInfo.objects.filter(works_group=other.works_group).update(switched_to=partner)

    assert _walk(api) == (["あおば物産"], 1)


def test_the_list_pages_with_the_cursor(api, partner):
    names = [f"会社{n:02d}" for n in range(7)]
    for name in reversed(names):
        _customer_of(partner, name)

    assert _walk(api, count=3) == (names, 3)
    assert _walk(api, count=3, orderBy="name desc") == (list(reversed(names)), 3)
    assert _walk(api, count=7) == (names, 1)


def test_customers_with_the_same_name_are_neither_repeated_nor_skipped(api, partner):
    for _ in range(5):
        _customer_of(partner, "同名商事")

    names, pages = _walk(api, count=2)

    assert names == ["同名商事"] * 5
    assert pages == 3


def test_pages_are_stable_under_inserts_between_them(api, partner):
    for name in ("B社", "D社", "F社", "H社"):
        _customer_of(partner, name)
    first = api.get(CUSTOMERS, {"count": 2}).json()
    _customer_of(partner, "A社")  # before the first page: must not shift the second
    _customer_of(partner, "E社")  # after it: shows in its place

    second = api.get(CUSTOMERS, {"count": 2, "cursor": first["responseMetaData"]["nextCursor"]})

    assert [c["companyName"] for c in first["customers"]] == ["B社", "D社"]
    assert [c["companyName"] for c in second.json()["customers"]] == ["E社", "F社"]


def test_the_domain_filter_finds_one_customer(api, partner):
    _customer_of(partner, "水谷建設", domain="mizl")
    _customer_of(partner, "カイシャ", domain="kaisha")

    body = api.get(CUSTOMERS, {"domain": "MIZL"}).json()

    assert [c["domain"] for c in body["customers"]] == ["mizl"]


@pytest.mark.parametrize(
    "query",
    [
        {"count": 0},
        {"count": 31},
        {"count": "ten"},
        {"orderBy": "domain asc"},
        {"cursor": "forged"},
        {"cursor": "x" * 2000},
        {"domain": "mi zl"},
        {"domain": "mizl\x00"},
    ],
)
def test_bad_list_parameters_are_400(api, partner, query):
    _customer_of(partner, "水谷建設")

    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = api.get(CUSTOMERS, query)

    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_PARAMETER"


def test_a_cursor_is_good_only_for_the_listing_it_came_from(api, partner):
    for name in ("A社", "B社", "C社"):
        _customer_of(partner, name)
    cursor = api.get(CUSTOMERS, {"count": 1}).json()["responseMetaData"]["nextCursor"]

    assert api.get(CUSTOMERS, {"count": 1, "cursor": cursor}).status_code == 200
    assert api.get(CUSTOMERS, {"cursor": cursor, "orderBy": "name desc"}).status_code == 400
    assert api.get(CUSTOMERS, {"cursor": cursor, "domain": "mizl"}).status_code == 400


def test_another_partners_cursor_is_refused(client, api, partner):
    for name in ("A社", "B社"):
        _customer_of(partner, name)
    cursor = api.get(CUSTOMERS, {"count": 1}).json()["responseMetaData"]["nextCursor"]
    other_staff = UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))
    other = ApiClient(client, api_token_create(staff=other_staff, name="XYZ")[1])

    assert other.get(CUSTOMERS, {"cursor": cursor}).status_code == 400


def test_an_id_too_big_for_the_database_is_404(api):
    response = api.get(f"{CUSTOMERS}/{10**30}")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
