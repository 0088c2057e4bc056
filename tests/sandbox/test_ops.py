"""/ops/: the sandbox flag shown and filterable; reset, 有効期限切れにする and 承認期限切れにする
as actions, refusing every tenant that is not a sandbox with its reason."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import AuditEvent, WorksGroup
from partners import services as flow
from partners.models import PartnerCode, PartnerContract
from sandbox import errors
from tests.factories import PartnerCodeFactory
from tests.partners.flow import verify
from tests.support import nothing_written

from .walk import MIZL, walk_switch

pytestmark = pytest.mark.django_db

GROUPS = reverse("admin:accounts_worksgroup_changelist")
CODES = reverse("admin:partners_partnercode_changelist")


@pytest.fixture
def ops(signed_in_as, operator):
    return signed_in_as(operator)


def _act(ops, url, action, *objects):
    return ops.post(
        url, {"action": action, "_selected_action": [obj.pk for obj in objects]}, follow=True
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_works_group_list_shows_and_filters_the_sandbox_flag(demo, ops):
    real = PartnerCodeFactory().works_group

    sandboxes = ops.get(GROUPS, {"is_sandbox__exact": "1"})
    others = ops.get(GROUPS, {"is_sandbox__exact": "0"})

    assert set(sandboxes.context["cl"].result_list) == {demo["mizl"], demo["kaisha"]}
    assert list(others.context["cl"].result_list) == [real]
    assert "is_sandbox" in admin.site._registry[WorksGroup].list_display


def test_reset_puts_a_walked_demo_group_back(demo, ops, operator):
    walk_switch(**MIZL)

    response = _act(ops, GROUPS, "sandbox_reset", demo["mizl"])

    assert _messages(response) == ["最初の状態に戻しました：mizl"]
    assert not PartnerContract.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.SANDBOX_RESET)
    assert (event.actor, event.details["via"]) == (operator, "ops")


def test_a_works_groups_own_page_offers_the_actions_too(demo, ops):
    url = reverse("admin:accounts_worksgroup_change", args=[demo["mizl"].pk])
    code = flow.code_issue(works_group=demo["mizl"], by=demo["mizl_admin"])

    page = ops.get(url).text
    response = ops.post(
        url,
        {"CHANGE_FORM-action": "sandbox_code_expire", "_selected_action": [demo["mizl"].pk]},
        follow=True,
    )

    assert 'value="sandbox_reset"' in page
    assert _messages(response) == ["パートナーコードを有効期限切れにしました：mizl"]
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.EXPIRED


def test_expire_and_lapse_move_a_sandbox_codes_clock(demo, ops):
    admin_user = demo["mizl_admin"]
    code = flow.code_issue(works_group=demo["mizl"], by=admin_user)

    expired = _act(ops, GROUPS, "sandbox_code_expire", demo["mizl"])
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.EXPIRED
    assert _messages(expired) == ["パートナーコードを有効期限切れにしました：mizl"]

    code = flow.code_issue(works_group=demo["mizl"], by=admin_user)
    verify(demo["abc_staff"], code=code, now=None)
    lapsed = _act(ops, CODES, "sandbox_code_lapse", code)
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.LAPSED
    assert _messages(lapsed) == ["パートナーコードを承認期限切れにしました：mizl"]


@pytest.mark.parametrize(
    ("url", "action"),
    [
        (GROUPS, "sandbox_reset"),
        (GROUPS, "sandbox_code_expire"),
        (GROUPS, "sandbox_code_lapse"),
        (CODES, "sandbox_code_expire"),
        (CODES, "sandbox_code_lapse"),
    ],
)
def test_every_action_refuses_a_tenant_that_is_not_a_sandbox(ops, url, action):
    code = PartnerCodeFactory(verified=action.endswith("lapse"))
    target = code if url == CODES else code.works_group

    with nothing_written(ignore=("accounts.AuditEvent",)):
        response = _act(ops, url, action, target)

    assert _messages(response) == [f"{code.works_group.domain}: {errors.NOT_SANDBOX}"]
    assert not AuditEvent.objects.filter(action__startswith="SANDBOX_").exists()


def test_a_mixed_selection_acts_on_the_sandboxes_and_names_each_refusal(demo, ops):
    real = PartnerCodeFactory().works_group

    response = _act(ops, GROUPS, "sandbox_reset", demo["mizl"], real, demo["kaisha"])

    assert _messages(response) == [
        f"{real.domain}: {errors.NOT_SANDBOX}",
        "最初の状態に戻しました：kaisha, mizl",
    ]


def test_a_code_that_is_no_longer_open_is_named_and_left_alone(demo, ops):
    code = flow.code_issue(works_group=demo["mizl"], by=demo["mizl_admin"])
    flow.code_cancel(works_group=demo["mizl"], by=demo["mizl_admin"])

    response = _act(ops, CODES, "sandbox_code_expire", code)

    assert _messages(response) == [
        f"{code.masked}: このパートナーコードは認証待ち・承認待ちではありません。"
    ]


def test_operators_read_the_sandbox_customers_but_never_their_password_hash(ops, created):
    url = reverse("admin:sandbox_sandboxcustomer_change", args=[created.customer.pk])

    page = ops.get(url).text

    assert created.customer.works_group.domain in page
    assert created.customer.admin_password_hash not in page
