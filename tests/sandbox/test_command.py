"""`manage.py reset_demo`: every demo group back to seed_demo's state, or one sandbox tenant."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import AuditEvent, WorksGroup
from partners import services as flow
from partners.models import PartnerCode, PartnerContract
from sandbox import errors
from tests.factories import PartnerCodeFactory
from tests.support import db_state, nothing_written

from .test_reset import NOT_RESTORED
from .walk import MIZL, walk_switch

pytestmark = pytest.mark.django_db


def reset_demo(*args) -> str:
    out = io.StringIO()
    call_command("reset_demo", *args, stdout=out)
    return out.getvalue()


def test_reset_demo_puts_every_demo_group_back_as_seed_demo_made_it(demo):
    seeded = db_state(ignore=NOT_RESTORED)
    walk_switch(**MIZL)
    flow.code_issue(works_group=demo["kaisha"], by=demo["kaisha"].super_admin)

    out = reset_demo()

    assert db_state(ignore=NOT_RESTORED) == seeded
    assert out.splitlines() == [
        "mizl: reset to its starting state",
        "kaisha: reset to its starting state",
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SANDBOX_RESET).count() == 2


def test_domain_resets_that_one_only(demo):
    walk_switch(**MIZL)
    kaisha_code = flow.code_issue(works_group=demo["kaisha"], by=demo["kaisha"].super_admin)

    reset_demo("--domain", "mizl")

    assert not PartnerContract.objects.exists()
    assert list(PartnerCode.objects.all()) == [kaisha_code]


def test_domain_resets_a_partners_sandbox_customer_too(created):
    group = created.customer.works_group

    reset_demo("--domain", group.domain)

    assert PartnerCode.objects.get(works_group=group).code != created.code.code


def test_a_tenant_that_is_not_a_sandbox_is_refused_and_untouched():
    code = PartnerCodeFactory()

    with nothing_written(), pytest.raises(CommandError, match=str(errors.NOT_SANDBOX)):
        reset_demo("--domain", code.works_group.domain)


def test_a_demo_group_an_operator_took_out_of_the_sandbox_is_refused_the_other_reset(demo):
    WorksGroup.objects.filter(domain="kaisha").update(is_sandbox=False)
    walk_switch(**MIZL)

    with pytest.raises(CommandError, match=f"kaisha: {errors.NOT_SANDBOX}"):
        reset_demo()

    assert not PartnerContract.objects.exists()  # mizl was reset all the same


def test_an_unknown_domain_is_named():
    with pytest.raises(CommandError, match="nosuch: no such works group"):
        reset_demo("--domain", "nosuch")


@override_settings(SANDBOX=False)
def test_reset_demo_refuses_while_the_sandbox_is_off(demo):
    walk_switch(**MIZL)

    with nothing_written(), pytest.raises(CommandError, match=str(errors.SANDBOX_OFF)):
        reset_demo()
