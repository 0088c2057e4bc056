"""Reset: a sandbox tenant goes back to exactly its starting state, whoever walked it."""

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from accounts.models import AuditEvent, Channel, CompanyInfo, Plan, Role, User
from outbox.models import OutboundEmail
from partners import services as flow
from partners.models import PartnerCode, PartnerContract
from sandbox import errors, services
from sandbox.services import Via
from tests.factories import (
    SandboxCustomerFactory,
    UserFactory,
    WebhookEndpointFactory,
    WorksGroupFactory,
)
from tests.partners.flow import refused, verify
from tests.reliability.test_durable_email import drain_queue
from tests.support import db_state, nothing_written
from webhooks.models import EventType, WebhookDelivery, WebhookEvent

from .conftest import create
from .walk import MIZL, signed_in, walk_switch, wizard_step

pytestmark = pytest.mark.django_db

# What a reset leaves as it is: the log-ins' traces and the times rows were touched, the
# reset's own audit row and its own sandbox.customer_reset event.
NOT_RESTORED = (
    "accounts.AuditEvent",
    "webhooks.WebhookEvent",
    "webhooks.WebhookDelivery",
    "accounts.User.last_login",
    "accounts.WorksGroup.updated_at",
    "accounts.CompanyInfo.updated_at",
)


def reset(group, by=None, via=Via.COMMAND):
    return services.sandbox_tenant_reset(works_group=group, by=by, via=via)


def _switch(created, staff):
    """The partner verifies a sandbox customer's code and its admin completes the switch."""
    group = created.customer.works_group
    flow.code_verify(
        partner=staff.partner,
        staff=staff,
        domain=group.domain,
        raw_code=created.code.code,
        show_profile=True,
    )
    admin = User.objects.get(email=created.admin_email)
    return flow.contract_complete(works_group=group, by=admin)


def test_a_walked_demo_group_is_reset_to_exactly_what_seed_demo_made(demo):
    seeded = db_state(ignore=NOT_RESTORED)
    contract, _browser = walk_switch(**MIZL)
    assert contract.partner == demo["abc"]

    reset(demo["mizl"])

    assert db_state(ignore=NOT_RESTORED) == seeded
    # Of the walk's webhook events only the reset's own is left, for the partner it concerns.
    [event] = WebhookEvent.objects.all()
    assert (event.type, event.partner) == (EventType.SANDBOX_CUSTOMER_RESET, demo["abc"])


def test_after_the_reset_the_same_demo_log_ins_walk_it_again_from_step_1(demo):
    walk_switch(**MIZL)

    reset(demo["mizl"])

    assert wizard_step(signed_in(*MIZL["admin"])) == 1
    contract, _browser = walk_switch(**MIZL)
    assert contract.works_group == demo["mizl"]


def test_the_super_admin_who_resets_stays_signed_in_under_the_restored_e_mail(demo):
    _contract, browser = walk_switch(**MIZL)
    admin = User.objects.get(email="taro@mizl.example")

    reset(demo["mizl"], by=admin, via=Via.CONSOLE)

    admin.refresh_from_db()
    assert admin.email == "admin@mizl.example"
    assert wizard_step(browser) == 1


def test_a_sandbox_customer_is_reset_to_how_it_was_created_with_a_fresh_code(created, staff):
    group = created.customer.works_group
    _switch(created, staff)
    info = CompanyInfo.objects.get(works_group=group)
    assert info.switched_to == staff.partner
    info.company_name, info.phone = "変更後の会社", "099-999-9999"
    info.save()

    code = reset(group, by=staff, via=Via.PARTNER_CONSOLE)

    group.refresh_from_db()
    assert (group.plan, group.seats, group.channel, group.partner) == (
        Plan.FREE,
        10,
        Channel.ONLINE_DIRECT,
        None,
    )
    assert group.company_info.company_name == created.customer.company_info["company_name"]
    assert group.company_info.phone == "03-0000-0000"
    assert group.company_info.switched_to is None  # no contract: in no partner's API list
    assert code.status == PartnerCode.Status.ISSUED and code.code != created.code.code
    assert list(PartnerCode.objects.filter(works_group=group)) == [code]
    assert not PartnerContract.objects.exists()
    admin = User.objects.get(works_group=group)
    assert (admin.email, admin.check_password(created.admin_password)) == (
        created.admin_email,
        True,
    )


def test_a_sandbox_customer_made_without_a_code_starts_again_without_one(staff):
    created = create(staff, issue_code=False)

    assert reset(created.customer.works_group, by=staff) is None
    assert not PartnerCode.objects.exists()


def test_the_reset_removes_the_outbox_rows_and_the_flows_audit_rows_and_keeps_the_rest(
    created, staff
):
    group = created.customer.works_group
    signed_in(created.admin_email, created.admin_password)
    _switch(created, staff)
    assert OutboundEmail.objects.filter(works_group=group).count() == 2

    reset(group, by=staff, via=Via.PARTNER_CONSOLE)

    assert not OutboundEmail.objects.filter(works_group=group).exists()
    actions = list(
        AuditEvent.objects.filter(works_group=group).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        AuditEvent.Action.SANDBOX_CUSTOMER_CREATED,
        AuditEvent.Action.LOGIN,
        AuditEvent.Action.CODE_ISSUED,  # the fresh code
        AuditEvent.Action.SANDBOX_RESET,
    ]


def test_the_reset_is_audited_with_who_did_it_and_what_it_removed(created, staff):
    group = created.customer.works_group
    _switch(created, staff)

    reset(group, by=staff, via=Via.API)

    event = AuditEvent.objects.get(action=AuditEvent.Action.SANDBOX_RESET)
    assert (event.actor, event.partner, event.works_group) == (staff, staff.partner, group)
    assert event.details == {
        "via": "api",
        # issued, verified, its e-mail, switch completed, its e-mail; code.verified and
        # switch.completed for the partner's webhooks
        "removed": {
            "webhook_events": 2,
            "contracts": 1,
            "codes": 1,
            "emails": 2,
            "audit_events": 5,
        },
        "code_issued": True,
    }


def test_the_command_line_resets_as_the_system(demo):
    reset(demo["kaisha"])

    event = AuditEvent.objects.get(action=AuditEvent.Action.SANDBOX_RESET)
    assert (event.actor, event.actor_label, event.details["via"]) == (None, "system", "command")


def test_members_added_since_are_removed(demo):
    UserFactory(works_group=demo["mizl"], admin=True, email="new@mizl.example")

    reset(demo["mizl"])

    assert sorted(User.objects.filter(works_group=demo["mizl"]).values_list("email", "role")) == [
        ("admin@mizl.example", Role.SUPER_ADMIN),
        ("viewer@mizl.example", Role.ADMIN),
    ]


def test_a_demo_member_deleted_since_is_made_again_with_the_demo_password(demo):
    User.objects.filter(email="viewer@mizl.example").delete()

    reset(demo["mizl"])

    assert User.objects.get(email="viewer@mizl.example").check_password("demo-viewer-pass")


def test_a_starting_e_mail_taken_by_another_account_refuses_the_reset(demo):
    admin = User.objects.get(email="admin@mizl.example")
    admin.email = "taro@mizl.example"
    admin.save()
    UserFactory(email="admin@mizl.example")

    message = errors.ADMIN_EMAIL_TAKEN % {"email": "admin@mizl.example"}
    with nothing_written(), refused(errors.AdminEmailTaken, message):
        reset(demo["mizl"])


# Who may reset, and what ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["command", "operator", "super_admin"])
def test_a_tenant_that_is_not_a_sandbox_is_never_reset(who):
    group = WorksGroupFactory(domain="mizl")  # a real tenant, even with a demo domain
    by = {
        "command": None,
        "operator": UserFactory(operator=True),
        "super_admin": UserFactory(works_group=group),
    }[who]
    flow.code_issue(works_group=group, by=group.super_admin or UserFactory(works_group=group))

    with nothing_written(), refused(errors.NotSandbox, errors.NOT_SANDBOX):
        reset(group, by=by)


def test_another_partners_staff_cannot_reset_and_learn_nothing(created, other_staff):
    with nothing_written(), refused(errors.CustomerNotFound, errors.CUSTOMER_NOT_FOUND):
        reset(created.customer.works_group, by=other_staff)


def test_partner_staff_cannot_reset_a_demo_group(demo):
    with nothing_written(), refused(errors.CustomerNotFound, errors.CUSTOMER_NOT_FOUND):
        reset(demo["mizl"], by=demo["abc_staff"])


def test_the_groups_admin_may_not_reset_only_its_super_admin(demo):
    viewer = User.objects.get(email="viewer@mizl.example")

    with nothing_written(), pytest.raises(errors.NotAllowed):
        reset(demo["mizl"], by=viewer, via=Via.CONSOLE)


def test_another_groups_super_admin_may_not_reset(demo):
    kaisha_admin = User.objects.get(email="admin@kaisha.example")

    with nothing_written(), pytest.raises(errors.NotAllowed):
        reset(demo["mizl"], by=kaisha_admin, via=Via.CONSOLE)


def test_a_group_marked_as_a_sandbox_by_hand_has_no_starting_state_to_go_back_to():
    group = WorksGroupFactory(is_sandbox=True)

    with nothing_written(), refused(errors.NoStartingState, errors.NO_STARTING_STATE):
        reset(group)


def test_a_sandbox_customer_whose_flag_was_taken_off_is_no_longer_reset(staff):
    customer = SandboxCustomerFactory(partner=staff.partner, works_group__is_sandbox=False)

    with nothing_written(), refused(errors.NotSandbox, errors.NOT_SANDBOX):
        reset(customer.works_group, by=staff)


@override_settings(SANDBOX=False)
def test_nothing_is_reset_while_the_sandbox_is_off(demo):
    with nothing_written(), refused(errors.SandboxOff, errors.SANDBOX_OFF):
        reset(demo["mizl"])


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection
def test_an_e_mail_queued_before_a_reset_is_never_sent_and_its_task_ends_quietly(
    created, staff, settings, mailoutbox
):
    """With the database queue the send task outlives the row a reset removes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    verify(staff, code=created.code, now=None)  # queues e-mail 1 to the customer
    [task] = DBTaskResult.objects.all()

    reset(created.customer.works_group, by=staff)
    drain_queue()

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.return_value == "GONE"
    assert mailoutbox == []


def test_the_partner_that_made_a_sandbox_customer_hears_of_its_reset(staff, created):
    WebhookEndpointFactory(partner=staff.partner, events=[EventType.SANDBOX_CUSTOMER_RESET])
    group = created.customer.works_group

    reset(group, by=staff, via=Via.PARTNER_CONSOLE)

    [event] = WebhookEvent.objects.filter(type=EventType.SANDBOX_CUSTOMER_RESET)
    assert (event.partner, event.works_group) == (staff.partner, group)
    assert event.data["domain"] == group.domain
    assert event.data["partnerCode"] is None  # the partner had verified nothing
    assert WebhookDelivery.objects.filter(event=event).count() == 1


def test_a_partner_whose_verification_a_reset_removes_hears_of_it(demo):
    mizl, xyz_staff = demo["mizl"], demo["xyz_staff"]
    code = flow.code_issue(works_group=mizl, by=demo["mizl_admin"])
    verify(xyz_staff, code=code, now=None)

    reset(mizl, by=demo["ops"], via=Via.OPS)

    [event] = WebhookEvent.objects.filter(type=EventType.SANDBOX_CUSTOMER_RESET)
    assert event.partner == demo["xyz"]
    assert event.data["partnerCode"] == code.masked
