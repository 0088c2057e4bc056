"""/ops/ (Django admin) for operators: every model listed, searchable and filterable."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import AuditEvent, CompanyInfo, User, WorksGroup
from tests.factories import (
    AuditEventFactory,
    OutboundEmailFactory,
    PartnerCodeFactory,
    PartnerContractFactory,
    UserFactory,
    WorksGroupFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [model._meta.label for model in admin.site._registry]


@pytest.fixture
def ops(login):
    """An operator's client, with at least one row of every model of the flow."""
    contract = PartnerContractFactory()
    PartnerCodeFactory(verified=True)
    OutboundEmailFactory(works_group=contract.works_group)
    AuditEventFactory(works_group=contract.works_group, partner=contract.partner)
    UserFactory(admin=True, works_group=contract.works_group)
    return login(UserFactory(operator=True))


def _changelist(label: str) -> str:
    app_label, model_name = label.lower().split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


def _model_admin(label: str):
    return next(a for m, a in admin.site._registry.items() if m._meta.label == label)


def _filter_queries(response) -> list[str]:
    """The query string of every choice of every list filter on a changelist page."""
    changelist = response.context["cl"]
    return [
        choice["query_string"]
        for spec in changelist.filter_specs
        for choice in spec.choices(changelist)
        if choice["query_string"] != "?"
    ]


def test_every_accounts_and_partners_model_is_registered():
    assert {
        "accounts.WorksGroup",
        "accounts.CompanyInfo",
        "accounts.Partner",
        "accounts.User",
        "accounts.AuditEvent",
        "partners.PartnerCode",
        "partners.PartnerContract",
        "outbox.OutboundEmail",
    } <= set(MODELS)


@pytest.mark.parametrize("label", MODELS)
def test_changelist_opens_and_searches(ops, label):
    listed = ops.get(_changelist(label))
    searched = ops.get(_changelist(label), {"q": "x"})

    assert listed.status_code == 200
    assert listed.context["cl"].model._meta.label == label
    assert searched.status_code == 200


@pytest.mark.parametrize("label", MODELS)
def test_every_list_filter_choice_opens(ops, label):
    url = _changelist(label)
    queries = _filter_queries(ops.get(url))

    assert queries or not _model_admin(label).list_filter
    for query in queries:
        response = ops.get(url + query)
        assert response.status_code == 200, query


@pytest.mark.parametrize(
    "label",
    [
        "accounts.WorksGroup",
        "accounts.CompanyInfo",
        "accounts.Partner",
        "accounts.User",
        "accounts.AuditEvent",
    ],
)
def test_every_accounts_model_has_search_and_filters(label):
    model_admin = _model_admin(label)

    assert model_admin.search_fields
    assert model_admin.list_filter


def test_search_finds_a_works_group_by_company_name(ops):
    group = WorksGroupFactory(company_info__company_name="探し物建設")

    response = ops.get(_changelist("accounts.WorksGroup"), {"q": "探し物"})

    assert list(response.context["cl"].result_list) == [group]


def test_filter_narrows_users_by_role(ops):
    response = ops.get(_changelist("accounts.User"), {"role__exact": "PARTNER_STAFF"})

    roles = {user.role for user in response.context["cl"].result_list}
    assert roles == {User.Role.PARTNER_STAFF}


@pytest.mark.parametrize("label", ["accounts.WorksGroup", "accounts.CompanyInfo", "accounts.User"])
def test_change_page_of_every_accounts_object_opens(ops, label):
    model = next(m for m in admin.site._registry if m._meta.label == label)
    app_label, model_name = label.lower().split(".")

    for pk in model.objects.values_list("pk", flat=True):
        response = ops.get(reverse(f"admin:{app_label}_{model_name}_change", args=[pk]))
        assert response.status_code == 200


def test_works_group_domain_is_fixed_after_creation(ops):
    group = WorksGroupFactory(domain="mizl")

    response = ops.get(reverse("admin:accounts_worksgroup_change", args=[group.pk]))

    assert 'name="domain"' not in response.content.decode()
    assert "mizl" in response.content.decode()


def test_audit_events_are_read_only_in_ops(ops):
    event = AuditEvent.objects.first()

    add = ops.get(reverse("admin:accounts_auditevent_add"))
    delete = ops.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert add.status_code == 403
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_works_group_created_in_ops_gets_its_company_info(ops):
    """One 会社情報 per works group, even when the operator leaves it at its defaults."""
    response = ops.post(
        reverse("admin:accounts_worksgroup_add"),
        {
            "domain": "newgroup",
            "plan": "FREE",
            "seats": "1",
            "apps": "[]",
            "channel": "ONLINE_DIRECT",
            "partner": "",
            "billing_anchor": "2023-03-14",
            "company_info-TOTAL_FORMS": "1",
            "company_info-INITIAL_FORMS": "0",
            "company_info-MIN_NUM_FORMS": "0",
            "company_info-MAX_NUM_FORMS": "1",
            "company_info-0-group_name": "",
            "company_info-0-company_name": "",
            "company_info-0-phone": "",
            "company_info-0-language": "ja_JP",
            "company_info-0-time_zone": "Asia/Tokyo",
            "company_info-0-receive_notices": "on",
            "company_info-0-notice_recipients": "ADMINS",
        },
    )

    assert response.status_code == 302
    group = WorksGroup.objects.get(domain="newgroup")
    info = CompanyInfo.objects.get(works_group=group)
    assert (info.language, info.time_zone) == ("ja_JP", "Asia/Tokyo")


def test_works_group_created_in_ops_rejects_an_invalid_domain(ops):
    response = ops.post(
        reverse("admin:accounts_worksgroup_add"),
        {"domain": "Bad--Domain", "plan": "FREE", "seats": "1", "channel": "ONLINE_DIRECT"},
    )

    assert response.status_code == 200
    assert "domain" in response.context["adminform"].form.errors
    assert not WorksGroup.objects.filter(domain="Bad--Domain").exists()


def test_operators_see_and_set_a_users_display_language(ops):
    staff = UserFactory(staff=True)

    page = ops.get(reverse("admin:accounts_user_change", args=[staff.pk]))

    assert 'name="language"' in page.content.decode()
    assert '<option value="zh-hant">繁體中文</option>' in page.content.decode()
