"""The signed-in user is loaded with SQL compiled once per process (core/prepared.py): the
same instances as the ORM's own query, read afresh on every request. The long lists (監査, the
partner's customers) likewise: the ORM's rows, the SQL built once per shape."""

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import selectors as accounts_selectors
from accounts.backends import TenantModelBackend
from accounts.models import AuditEvent, CompanyInfo, Language, User, WorksGroup
from accounts.selectors import audit_rows
from core.pagination import CountlessPaginator
from core.prepared import PreparedGet, PreparedList
from partners import customer_contracts
from partners.models import PartnerCode
from partners.selectors import _WIZARD_CODE, _customer_codes, customer_code_list
from tests.factories import (
    PASSWORD,
    AuditEventFactory,
    PartnerCodeFactory,
    PartnerContractFactory,
    UserFactory,
    WorksGroupFactory,
)

pytestmark = pytest.mark.django_db

WITH_TENANT = User.objects.select_related("works_group__company_info", "partner")


def _fields(instance) -> dict:
    """The fields the instance was read with (a deferred one would be read now), and which
    were deferred."""
    deferred = instance.get_deferred_fields()
    loaded = [field.attname for field in instance._meta.fields if field.attname not in deferred]
    return {"deferred": deferred, **{name: getattr(instance, name) for name in loaded}}


@pytest.mark.parametrize("staff", [False, True], ids=["customer", "partner staff"])
def test_the_prepared_user_is_the_orm_s_user_with_the_same_relations(staff, group):
    user = UserFactory(staff=True) if staff else UserFactory(works_group=group)
    expected = WITH_TENANT.get(pk=user.pk)

    loaded = PreparedGet(WITH_TENANT).get(user.pk)

    assert _fields(loaded) == _fields(expected)
    with CaptureQueriesContext(connection) as queries:  # the relations came with the row
        if expected.works_group is not None:
            assert _fields(loaded.works_group) == _fields(expected.works_group)
            info = expected.works_group.company_info
            assert _fields(loaded.works_group.company_info) == _fields(info)
        else:
            assert loaded.works_group is None
        if expected.partner is not None:
            assert _fields(loaded.partner) == _fields(expected.partner)
        else:
            assert loaded.partner is None
    assert len(queries) == 0
    assert not loaded._state.adding and loaded._state.db == "default"


def test_a_missing_row_is_none_and_the_sql_is_built_once(super_admin):
    prepared = PreparedGet(WITH_TENANT)
    assert prepared.get(super_admin.pk + 1000) is None

    with CaptureQueriesContext(connection) as queries:
        assert prepared.get(super_admin.pk) == super_admin
        assert prepared.get(super_admin.pk) == super_admin
    assert queries[0]["sql"] == queries[1]["sql"]


def test_a_text_key_is_looked_up_as_text(staff):
    """The tokens are found by their digest (a text column), the user by its integer ID."""
    prepared = PreparedGet(User.objects.select_related("partner"), key="email")

    assert _fields(prepared.get(staff.email)) == _fields(User.objects.get(email=staff.email))
    assert prepared.get("nobody@example.com") is None


def test_the_queryset_s_own_filters_hold(staff, super_admin):
    """A constant of the queryset (a live token's `revoked_at IS NULL`, an e-mail here) is
    compiled in; only the key changes between calls."""
    prepared = PreparedGet(User.objects.filter(email=staff.email))

    assert prepared.get(staff.pk) == staff
    assert prepared.get(super_admin.pk) is None


def test_what_a_prepared_query_cannot_give_as_the_orm_does_is_refused(staff):
    with pytest.raises(ValueError, match="model instances or"):
        PreparedGet(User.objects.values_list("email")).get(staff.pk)
    with pytest.raises(ValueError, match="model instances or"):
        PreparedGet(User.objects.prefetch_related("groups")).get(staff.pk)
    with pytest.raises(TypeError, match="numbers and texts"):
        PreparedGet(User.objects.all()).get(staff)


def test_every_request_reads_the_row_again(super_admin):
    """Nothing is cached between requests: a change made by anyone shows on the next one."""
    browser = Client()
    browser.post("/login/", {"username": super_admin.email, "password": PASSWORD})
    assert browser.get("/console/").headers["Content-Language"] == "ja"

    CompanyInfo.objects.filter(works_group=super_admin.works_group).update(language=Language.EN_US)
    assert browser.get("/console/").headers["Content-Language"] == "en"
    User.objects.filter(pk=super_admin.pk).update(is_active=False)
    assert browser.get("/console/").status_code == 302


def test_a_session_key_that_is_not_a_user_id_is_anonymous():
    assert TenantModelBackend().get_user("not-a-number") is None


@pytest.mark.parametrize("state", ["none", "issued", "contract"])
def test_the_wizard_s_code_is_the_orm_s_with_the_same_relations(state, group):
    if state == "issued":
        PartnerCodeFactory(works_group=group)
    elif state == "contract":
        PartnerContractFactory(code__works_group=group)
    orm = (
        PartnerCode.objects.filter(works_group=group)
        .select_related(
            "verified_partner", "intended_partner", "works_group__company_info", "contract__partner"
        )
        .order_by(F("contract__id").desc(nulls_last=True), "-issued_at", "-id")
        .first()
    )

    loaded = _WIZARD_CODE.get(group.pk)

    if orm is None:
        assert loaded is None
        return
    assert _fields(loaded) == _fields(orm)
    with CaptureQueriesContext(connection) as queries:
        contract = getattr(loaded, "contract", None)
        if state == "contract":
            assert _fields(contract) == _fields(orm.contract)
            assert _fields(contract.partner) == _fields(orm.contract.partner)
        else:
            assert contract is None
        assert _fields(loaded.works_group.company_info) == _fields(orm.works_group.company_info)
    assert len(queries) == 0


# Lists: PreparedList ------------------------------------------------------------------------

AUDIT_COLUMNS = ("created_at", "actor_label", "action", "details")


@pytest.fixture
def audit_log(group):
    for n in range(7):
        action = AuditEvent.Action.LOGIN if n % 2 else AuditEvent.Action.CODE_ISSUED
        AuditEventFactory(works_group=group, action=action, details={"n": n, "ip": "192.0.2.1"})
    AuditEventFactory(works_group=WorksGroupFactory())  # another tenant's
    return group


@pytest.mark.parametrize("action", ["", AuditEvent.Action.LOGIN, AuditEvent.Action.LOGIN_FAILED])
@pytest.mark.parametrize(("start", "stop"), [(0, 3), (3, 6), (6, 9), (0, 50)])
def test_audit_rows_are_the_orm_s_rows(audit_log, action, start, stop):
    events = AuditEvent.objects.filter(works_group=audit_log)
    if action:
        events = events.filter(action=action)
    expected = list(events.values(*AUDIT_COLUMNS)[start:stop])

    rows = audit_rows(works_group_id=audit_log.pk, action=action)[start:stop]

    assert rows == expected
    assert all(isinstance(row["details"], dict) for row in rows)  # converted as the ORM does


SEARCHES = ["", "水谷", "MIZ", "100%", "a_b", "back\\slash", "'; drop", "zzz"]


@pytest.mark.parametrize("query", SEARCHES)
def test_customer_rows_are_the_orm_s_rows_whatever_the_search(partner, staff, query):
    names = ["水谷建設", "Mizutani 100% Ltd", "a_b商事", "axb商事", "back\\slash", "'; drop"]
    for n, name in enumerate(names):
        PartnerCodeFactory(
            works_group=WorksGroupFactory(domain=f"d{n}", company_info__company_name=name),
            verified=True,
            verified_partner=partner,
            verified_by=staff,
        )
    expected = list(_customer_codes(partner.pk, query)[:50])

    rows = customer_code_list(partner=partner, query=query)[0:50]

    assert rows == expected
    assert len(rows) == {"": 6, "水谷": 1, "MIZ": 1, "100%": 1, "a_b": 1, "zzz": 0}.get(
        query, 1
    )  # % and _ are matched as themselves, not as LIKE's wildcards


def test_list_sql_is_built_once_per_shape(audit_log, monkeypatch):
    prepared = PreparedList(accounts_selectors._AUDIT_ROWS.build)
    built = []
    original = PreparedList._compile

    def compile_counted(self, connection, shape):
        built.append(shape)
        return original(self, connection, shape)

    monkeypatch.setattr(PreparedList, "_compile", compile_counted)
    for page in range(3):
        prepared.rows(page * 2, 2, works_group=audit_log.pk)
        prepared.rows(page * 2, 2, works_group=audit_log.pk, action="LOGIN")

    assert len(built) == 2  # without and with the filter, once each
    with CaptureQueriesContext(connection) as queries:  # and every call reads the rows
        prepared.rows(0, 2, works_group=audit_log.pk)
    assert len(queries) == 1


def test_a_list_query_must_use_every_value_and_binds_only_numbers_and_texts(audit_log):
    ignores = PreparedList(lambda works_group: AuditEvent.objects.values("action"))
    with pytest.raises(ValueError, match="not in its SQL"):
        ignores.rows(0, 1, works_group=audit_log.pk)
    with pytest.raises(TypeError):
        accounts_selectors._AUDIT_ROWS.rows(0, 1, works_group=audit_log)


def test_a_page_past_the_end_of_prepared_rows_is_the_last_page(audit_log):
    page = CountlessPaginator(audit_rows(works_group_id=audit_log.pk), 3).get_page(9)

    assert (page.number, len(page), page.has_next()) == (3, 1, False)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("after", [None, ("同名商事", 0)])
def test_api_customer_rows_are_the_orm_s_values(partner, descending, after):
    for name in ("さくら商事", "同名商事", "同名商事", "あおば物産"):
        PartnerContractFactory(partner=partner, code__works_group__company_info__company_name=name)
    PartnerContractFactory(code__works_group__company_info__company_name="他社の顧客")
    values = {"partner": partner.pk}
    if after:
        values.update(name=after[0], group=after[1])
    expected = list(customer_contracts._customer_contracts_by_name(descending, **values)[:10])

    rows = customer_contracts._CUSTOMERS_BY_NAME[descending].rows(0, 10, **values)

    assert len(rows) == len(expected) > 0
    assert rows == expected
    assert {*rows[0]} == {"completed_at", *customer_contracts.CUSTOMER_ROW}


def test_a_locking_read_runs_only_inside_a_transaction(transactional_db, group):
    """As Django refuses select_for_update() outside a transaction, so does a prepared read,
    however often it ran inside one before."""
    locked = PreparedGet(
        WorksGroup.objects.select_for_update(no_key=True, of=("self",)), key="domain"
    )
    with transaction.atomic():
        assert locked.get(group.domain) == group
    if not connection.features.has_select_for_update:
        assert locked.get(group.domain) == group  # SQLite: no locks, nothing to refuse
        return
    with pytest.raises(TransactionManagementError):
        locked.get(group.domain)


def test_unbounded_and_empty_windows_read_as_the_orm_slices(audit_log):
    events = AuditEvent.objects.filter(works_group=audit_log).values(*AUDIT_COLUMNS)
    prepared = accounts_selectors._AUDIT_ROWS

    assert prepared.rows(0, None, works_group=audit_log.pk) == list(events)
    assert prepared.rows(2, None, works_group=audit_log.pk) == list(events[2:])
    assert prepared.rows(3, 0, works_group=audit_log.pk) == list(events[3:3]) == []
