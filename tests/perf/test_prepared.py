"""The signed-in user is loaded with SQL compiled once per process (core/prepared.py): the
same instances as the ORM's own query, read afresh on every request."""

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.backends import TenantModelBackend
from accounts.models import CompanyInfo, Language, User
from core.prepared import PreparedGet
from partners.models import PartnerCode
from partners.selectors import _WIZARD_CODE
from tests.factories import (
    PASSWORD,
    PartnerCodeFactory,
    PartnerContractFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WITH_TENANT = User.objects.select_related("works_group__company_info", "partner")


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


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


def test_a_queryset_with_other_parameters_is_refused():
    with pytest.raises(ValueError, match="only parameter"):
        PreparedGet(User.objects.filter(email="x@example.com")).get(1)


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
