"""Deleting a sandbox customer: all of it goes, only a partner's own, never a real tenant."""

import pytest

from accounts.models import AuditEvent, CompanyInfo, User, WorksGroup
from outbox.models import OutboundEmail
from partners import services as flow
from partners.models import PartnerCode, PartnerContract
from sandbox import errors, services
from sandbox.models import SandboxCustomer
from sandbox.services import Via
from tests.factories import PartnerCodeFactory, SandboxCustomerFactory, UserFactory
from tests.partners.flow import refused, verify
from tests.support import nothing_written

pytestmark = pytest.mark.django_db


def delete(group, by):
    return services.sandbox_customer_delete(works_group=group, by=by, via=Via.PARTNER_CONSOLE)


def test_deleting_a_switched_sandbox_customer_removes_everything_of_it(created, staff):
    group = created.customer.works_group
    verify(staff, code=created.code, now=None)
    flow.contract_complete(works_group=group, by=User.objects.get(works_group=group))

    assert delete(group, staff) == group.domain

    assert not WorksGroup.objects.filter(pk=group.pk).exists()
    for model in (CompanyInfo, User, PartnerCode, PartnerContract, OutboundEmail):
        assert not model.objects.filter(works_group_id=group.pk).exists(), model
    assert not SandboxCustomer.objects.exists()
    assert not AuditEvent.objects.filter(works_group_id=group.pk).exists()


def test_the_deletion_is_recorded_on_the_partner_with_who_did_it(created, staff):
    domain = created.customer.works_group.domain

    delete(created.customer.works_group, staff)

    event = AuditEvent.objects.get(action=AuditEvent.Action.SANDBOX_CUSTOMER_DELETED)
    assert (event.actor, event.partner, event.works_group) == (staff, staff.partner, None)
    assert event.details["domain"] == domain
    assert event.details["created_by"] == staff.email
    assert event.details["via"] == "partner_console"


def test_a_deleted_customer_no_longer_counts_towards_the_limit(created, staff, settings):
    settings.SANDBOX_CUSTOMER_LIMIT = 1

    delete(created.customer.works_group, staff)

    assert services.sandbox_customer_create(partner=staff.partner, by=staff, via=Via.API)


def test_another_partners_sandbox_customer_cannot_be_deleted(created, other_staff):
    with nothing_written(), refused(errors.CustomerNotFound, errors.CUSTOMER_NOT_FOUND):
        delete(created.customer.works_group, other_staff)


def test_a_demo_group_cannot_be_deleted_only_reset(demo):
    with nothing_written(), refused(errors.NotDeletable, errors.NOT_DELETABLE):
        delete(demo["mizl"], demo["ops"])


def test_a_tenant_that_is_not_a_sandbox_is_never_deleted(staff):
    code = PartnerCodeFactory()
    operator = UserFactory(operator=True)
    unflagged = SandboxCustomerFactory(partner=staff.partner, works_group__is_sandbox=False)

    with nothing_written(), refused(errors.NotSandbox, errors.NOT_SANDBOX):
        delete(code.works_group, operator)
    with nothing_written(), refused(errors.NotSandbox, errors.NOT_SANDBOX):
        delete(unflagged.works_group, staff)


def test_the_customers_own_admin_cannot_delete_it(created):
    admin = User.objects.get(works_group=created.customer.works_group)

    with nothing_written(), pytest.raises(errors.NotAllowed):
        delete(created.customer.works_group, admin)
