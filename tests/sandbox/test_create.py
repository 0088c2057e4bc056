"""「テスト顧客を作成」 as a service: what a partner gets, and the limit."""

import pytest
from django.contrib.auth import authenticate
from django.test import override_settings

from accounts.models import AuditEvent, Channel, Plan, Role, User
from partners.codes import code_expiry
from partners.models import PartnerCode
from sandbox import errors, services
from sandbox.models import SandboxCustomer
from sandbox.services import Via
from tests.factories import SandboxCustomerFactory, UserFactory, WorksGroupFactory
from tests.partners.flow import refused
from tests.support import nothing_written

from .conftest import create

pytestmark = pytest.mark.django_db


def test_a_new_sandbox_customer_is_a_free_sandbox_tenant_of_ten_seats_with_complete_info(created):
    group = created.customer.works_group

    assert group.is_sandbox
    assert (group.plan, group.seats, group.channel) == (Plan.FREE, 10, Channel.ONLINE_DIRECT)
    assert group.domain.startswith("sbx-") and len(group.domain) == 12
    assert group.company_info.is_complete(created.admin_email)
    assert created.customer.partner.name == "ABC 株式会社"


def test_its_super_admin_logs_in_with_the_generated_password(created):
    admin = authenticate(username=created.admin_email, password=created.admin_password)

    assert admin is not None
    assert admin.role == Role.SUPER_ADMIN
    assert admin.works_group == created.customer.works_group


def test_the_password_is_stored_only_as_a_hash(created):
    stored = SandboxCustomer.objects.get().admin_password_hash

    assert created.admin_password not in stored
    assert stored == User.objects.get(email=created.admin_email).password


def test_a_code_is_issued_at_once_by_the_normal_verb(created):
    code = created.code

    assert code.status == PartnerCode.Status.ISSUED
    assert code.issued_by.email == created.admin_email
    assert code.expires_at == code_expiry(code.issued_at, code.works_group.company_info.tz)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CODE_ISSUED).count() == 1


def test_no_code_when_asked_not_to(staff):
    created = create(staff, issue_code=False)

    assert created.code is None
    assert not PartnerCode.objects.exists()


@pytest.mark.parametrize(("plan", "seats"), [(Plan.STANDARD, 25), (Plan.ADVANCED, 9999)])
def test_the_plan_and_seats_asked_for(staff, plan, seats):
    group = create(staff, plan=plan, seats=seats).customer.works_group

    assert (group.plan, group.seats) == (plan, seats)


def test_every_customer_gets_its_own_domain_and_admin(staff):
    made = [create(staff) for _ in range(5)]

    assert len({c.customer.works_group.domain for c in made}) == 5
    assert len({c.admin_email for c in made}) == 5


def test_the_creation_is_audited_with_who_did_it(created, staff):
    event = AuditEvent.objects.get(action=AuditEvent.Action.SANDBOX_CUSTOMER_CREATED)

    assert event.actor == staff
    assert event.partner == staff.partner
    assert event.works_group == created.customer.works_group
    assert event.details == {
        "via": "partner_console",
        "plan": "FREE",
        "seats": 10,
        "code_issued": True,
    }


@override_settings(SANDBOX_CUSTOMER_LIMIT=2)
def test_a_partner_has_at_most_the_limit_of_live_sandbox_customers(staff):
    create(staff)
    create(staff)

    with nothing_written(), refused(errors.LimitReached, errors.LIMIT_REACHED % {"limit": 2}):
        create(staff)


@override_settings(SANDBOX_CUSTOMER_LIMIT=1)
def test_the_limit_counts_each_partner_on_its_own(staff, other_staff):
    create(staff)

    assert create(other_staff).customer.partner == other_staff.partner


@override_settings(SANDBOX_CUSTOMER_LIMIT=1)
def test_the_limit_is_409_with_its_own_code(staff):
    SandboxCustomerFactory(partner=staff.partner)

    with pytest.raises(errors.LimitReached) as refusal:
        create(staff)

    assert (refusal.value.status, refusal.value.code) == (409, "SANDBOX_LIMIT_REACHED")


@pytest.mark.parametrize("who", ["super_admin", "operator", "inactive_staff", "other_staff"])
def test_only_the_partners_own_active_staff_create(staff, other_staff, who):
    user = {
        "super_admin": lambda: UserFactory(),
        "operator": lambda: UserFactory(operator=True),
        "inactive_staff": lambda: UserFactory(staff=True, partner=staff.partner, is_active=False),
        "other_staff": lambda: other_staff,
    }[who]()

    with nothing_written(), refused(errors.NotAllowed, errors.NOT_ALLOWED):
        services.sandbox_customer_create(partner=staff.partner, by=user, via=Via.API)


def test_an_inactive_partner_creates_nothing(staff):
    staff.partner.is_active = False
    staff.partner.save()

    with nothing_written(), refused(errors.PartnerInactive, errors.PARTNER_INACTIVE):
        create(staff)


@pytest.mark.parametrize(("plan", "seats"), [("GOLD", 10), (Plan.FREE, 0), (Plan.FREE, 10000)])
def test_a_plan_or_seats_out_of_range_are_refused(staff, plan, seats):
    with nothing_written(), refused(errors.InvalidInput, errors.INVALID_INPUT):
        create(staff, plan=plan, seats=seats)


def test_a_domain_whose_admin_e_mail_is_taken_is_never_drawn(staff, monkeypatch):
    draws = iter(["aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(services, "_domain_suffix", lambda: next(draws))
    UserFactory(email="admin@sbx-aaaaaaaa.example")

    created = create(staff)

    assert created.customer.works_group.domain == "sbx-bbbbbbbb"


def test_a_domain_already_taken_means_another_draw(staff, monkeypatch):
    draws = iter(["aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(services, "_domain_suffix", lambda: next(draws))
    WorksGroupFactory(domain="sbx-aaaaaaaa")

    created = create(staff)

    assert created.customer.works_group.domain == "sbx-bbbbbbbb"
