"""Every page answers in at most 10 SQL queries, however much data there is.

Each test loads a page with a few rows of everything (3), then again after the data has
grown twentyfold (60): the number of queries must be the same both times. A page that
queries per row (an N+1) fails the second comparison long before it fails the budget.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.export_writer import audit_export_run
from accounts.exports import audit_export_start
from accounts.models import AuditEvent, AuditExport
from api.models import ApiApp
from api.services import api_app_create
from partners.models import ApiToken, PartnerContract
from partners.tokens import api_token_create
from sandbox.models import SandboxCustomer
from tests.api.oauth_support import sign_in
from tests.factories import (
    AuditEventFactory,
    PartnerCodeFactory,
    PartnerContractFactory,
    PartnerFactory,
    SandboxCustomerFactory,
    UserFactory,
    WorksGroupFactory,
)

BUDGET = 10
SMALL, LARGE = 3, 60


def grow(*, to: int, group, partner, staff) -> None:
    """Bring every kind of row a page could list up to `to`: the group's audit events, the
    partner's customers (each on a group of its own), active partners and API tokens."""
    have = AuditEvent.objects.filter(works_group=group).count()
    AuditEventFactory.create_batch(to - have, works_group=group, details={"code": "ABC…WXYZ"})
    have = partner.verified_codes.count()
    for i in range(to - have):
        if i % 2:
            PartnerContractFactory(
                code__verified_partner=partner, code__verified_by=staff, partner=partner
            )
        else:
            PartnerCodeFactory(verified=True, verified_partner=partner, verified_by=staff)
    PartnerFactory.create_batch(to - partner.__class__.objects.count())
    have = ApiToken.objects.filter(partner=partner).count()
    holders = _token_holders(partner, tokens=to)
    for i in range(have, to):
        api_token_create(staff=holders[i // settings.API_TOKENS_PER_STAFF], name=f"system {i}")


def _token_holders(partner, *, tokens: int) -> list:
    """Enough staff of the partner to hold `tokens` tokens between them (one person holds
    at most API_TOKENS_PER_STAFF), oldest first; colleagues are added as needed."""
    holders = list(partner.staff.order_by("pk"))
    while len(holders) * settings.API_TOKENS_PER_STAFF < tokens:
        holders.append(UserFactory(staff=True, partner=partner))
    return holders


def query_counts(
    django_assert_max_num_queries, client, url, sizes=(SMALL, LARGE), **data
) -> list[int]:
    """Queries for `url` with SMALL rows of everything, then with LARGE."""
    counts = []
    for size in sizes:
        grow(to=size, **data)
        with django_assert_max_num_queries(BUDGET) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, response
        counts.append(len(captured))
    return counts


@pytest.fixture
def data(group, partner, staff):
    return {"group": group, "partner": partner, "staff": staff}


CUSTOMER_PAGES = [
    "accounts:console",
    "accounts:company-info",
    "accounts:audit",
    "partners:search",
]


@pytest.mark.parametrize("name", CUSTOMER_PAGES)
@pytest.mark.parametrize("role", ["super_admin", "admin"])
def test_console_page_queries_do_not_grow_with_data(
    request, django_assert_max_num_queries, login, data, name, role
):
    client = login(request.getfixturevalue(role))
    small, large = query_counts(django_assert_max_num_queries, client, reverse(name), **data)
    assert small == large


def test_audit_export_pages_queries_do_not_grow(
    django_assert_max_num_queries, login, super_admin, data
):
    """The list of exports and a download, with 3 then 60 exports and events."""
    client = login(super_admin)
    group = data["group"]
    finished = audit_export_run(export_id=audit_export_start(works_group=group, by=super_admin).pk)
    counts = []
    for size in (SMALL, LARGE):
        grow(to=size, **data)
        for _ in range(size - AuditExport.objects.count()):
            AuditExport.objects.create(works_group=group, status=AuditExport.Status.FAILED)
        with django_assert_max_num_queries(BUDGET) as captured:
            assert client.get(reverse("accounts:audit-exports")).status_code == 200
            download = client.get(reverse("accounts:audit-export-download", args=[finished.pk]))
            assert download.status_code == 200
            b"".join(download.streaming_content)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_audit_filter_queries_do_not_grow(django_assert_max_num_queries, login, super_admin, data):
    client = login(super_admin)
    url = reverse("accounts:audit") + "?action=CODE_ISSUED"
    small, large = query_counts(django_assert_max_num_queries, client, url, **data)
    assert small == large


@pytest.mark.parametrize("url", ["/console/audit/?page=2", "/partner/?page=2"])
def test_second_page_queries_do_not_grow(request, django_assert_max_num_queries, login, data, url):
    """Page 2 exists at both sizes here (a page past the end costs one bounded count more)."""
    client = login(request.getfixturevalue("staff" if "partner" in url else "super_admin"))
    counts = query_counts(
        django_assert_max_num_queries, client, url, sizes=(LARGE, 2 * LARGE), **data
    )
    assert counts[0] == counts[1]


def _step_1(group, super_admin, partner, staff):
    pass


def _step_2(group, super_admin, partner, staff):
    PartnerCodeFactory(works_group=group, issued_by=super_admin, intended_partner=partner)


def _step_3(group, super_admin, partner, staff):
    PartnerCodeFactory(
        works_group=group,
        issued_by=super_admin,
        verified=True,
        verified_partner=partner,
        verified_by=staff,
    )


def _step_4(group, super_admin, partner, staff):
    PartnerContractFactory(
        code__works_group=group,
        code__issued_by=super_admin,
        code__verified_partner=partner,
        code__verified_by=staff,
    )


@pytest.mark.parametrize("step", [_step_1, _step_2, _step_3, _step_4])
def test_wizard_queries_do_not_grow_at_any_step(
    django_assert_max_num_queries, login, group, super_admin, data, step
):
    step(group, super_admin, data["partner"], data["staff"])
    client = login(super_admin)
    url = reverse("partners:contract")
    small, large = query_counts(django_assert_max_num_queries, client, url, **data)
    assert small == large
    assert f'data-step="{step.__name__[-1]}"' in client.get(url).content.decode()


def test_confirm_page_queries_do_not_grow(
    django_assert_max_num_queries, login, group, super_admin, data
):
    _step_3(group, super_admin, data["partner"], data["staff"])
    client = login(super_admin)
    url = reverse("partners:contract-confirm")
    small, large = query_counts(django_assert_max_num_queries, client, url, **data)
    assert small == large


def test_company_gate_queries_do_not_grow(django_assert_max_num_queries, login, data):
    group = WorksGroupFactory(company_info__group_name="", company_info__phone="")
    owner = UserFactory(works_group=group)
    _step_3(group, owner, data["partner"], data["staff"])
    client = login(owner)
    url = reverse("partners:contract-company")
    small, large = query_counts(django_assert_max_num_queries, client, url, **data)
    assert small == large


@pytest.mark.parametrize("url", ["/partner/", "/partner/?q=group", "/partner/customers/import/"])
def test_partner_page_queries_do_not_grow(django_assert_max_num_queries, login, staff, data, url):
    client = login(staff)
    small, large = query_counts(django_assert_max_num_queries, client, url, **data)
    assert small == large


def test_partner_tokens_page_queries_do_not_grow(django_assert_max_num_queries, login, staff, data):
    client = login(staff)
    url = reverse("partners:tokens")
    small, large = query_counts(django_assert_max_num_queries, client, url, **data)
    assert small == large


def test_partner_list_pages_without_counting_every_row(
    django_assert_max_num_queries, login, staff, data
):
    """Previous/next need no COUNT(*) over the partner's customers (100,000 at scale)."""
    client = login(staff)
    grow(to=LARGE, **data)
    with django_assert_max_num_queries(BUDGET) as captured:
        client.get("/partner/")
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_audit_pages_without_counting_every_row(
    django_assert_max_num_queries, login, super_admin, data
):
    client = login(super_admin)
    grow(to=LARGE, **data)
    with django_assert_max_num_queries(BUDGET) as captured:
        client.get(reverse("accounts:audit"))
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_signed_in_customer_tenant_comes_with_the_user(
    django_assert_max_num_queries, login, super_admin
):
    """The middleware's language and time zone and the setup banner need the group and its
    会社情報 on every page: one joined query with the user, none of their own."""
    client = login(super_admin)
    with django_assert_max_num_queries(BUDGET) as captured:
        client.get(reverse("accounts:console"))
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in captured.captured_queries]
    assert '"accounts_companyinfo"' not in tables
    assert '"accounts_worksgroup"' not in tables


# The partner API's customer list: keyset pages, one query each ---------------------------


@pytest.fixture
def bearer(client, staff):
    app = api_app_create(staff=staff, name="連携", scopes=["partner.read"])
    return {"Authorization": f"Bearer {sign_in(client, app)['access_token']}"}


def _api_queries(django_assert_max_num_queries, client, url, bearer, **query):
    with django_assert_max_num_queries(BUDGET) as captured:
        response = client.get(url, query, headers=bearer)
    assert response.status_code == 200, response.content
    return response, captured.captured_queries


@pytest.mark.parametrize("order", ["name asc", "name desc"])
def test_every_page_of_the_customer_list_costs_the_same_queries(
    django_assert_max_num_queries, client, bearer, data, order
):
    """The first page, a page in the middle and the last, at 3 customers and at 60: the same
    count each time, and never a COUNT(*)."""
    counts = set()
    for size in (SMALL, LARGE):
        grow(to=size, **data)
        cursor, pages = None, 0
        while True:
            query = {"count": 2, "orderBy": order, **({"cursor": cursor} if cursor else {})}
            response, queries = _api_queries(
                django_assert_max_num_queries, client, "/api/v1/partners/customers", bearer, **query
            )
            counts.add(len(queries))
            assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
            cursor, pages = response.json()["responseMetaData"]["nextCursor"], pages + 1
            if cursor is None:
                break
    assert pages > 10  # at 60 rows of everything, 30 of them the partner's customers
    assert len(counts) == 1, counts


@pytest.mark.parametrize("suffix", ["", "/subscription"])
def test_a_customer_reads_in_constant_queries(
    django_assert_max_num_queries, client, bearer, data, suffix
):
    counts = []
    for size in (SMALL, LARGE):
        grow(to=size, **data)
        contract = PartnerContract.objects.filter(partner=data["partner"]).first()
        url = f"/api/v1/partners/customers/{contract.works_group_id}{suffix}"
        _response, queries = _api_queries(django_assert_max_num_queries, client, url, bearer)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_partner_apps_page_queries_do_not_grow(django_assert_max_num_queries, login, staff, data):
    client = login(staff)
    counts = []
    for size in (SMALL, LARGE):
        for index in range(size - ApiApp.objects.filter(partner=staff.partner).count()):
            api_app_create(staff=staff, name=f"アプリ {index}", scopes=["partner"])
        with django_assert_max_num_queries(BUDGET) as captured:
            assert client.get("/partner/apps/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_partner_sandbox_customers_page_queries_do_not_grow(
    django_assert_max_num_queries, login, staff
):
    """Each row's wizard step comes with the row (its latest code and contract annotated)."""
    client = login(staff)
    counts = []
    for size in (SMALL, LARGE):
        for _ in range(size - SandboxCustomer.objects.filter(partner=staff.partner).count()):
            customer = SandboxCustomerFactory(partner=staff.partner, created_by=staff)
            PartnerCodeFactory(works_group=customer.works_group)
        with django_assert_max_num_queries(BUDGET) as captured:
            response = client.get(reverse("sandbox:customers"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert "2. パートナーコードの認証待ち" in response.text
