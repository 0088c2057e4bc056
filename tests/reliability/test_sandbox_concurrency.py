"""The sandbox against the flow, with real transactions racing on PostgreSQL.

A reset locks the group's row as the customer's own transitions do, then the group's codes
before it removes anything. So a reset and a verification, or a reset and the customer's
switch, are serialised: whichever runs second sees what the first left. A verification after
the reset is refused (its code is gone), a switch after the reset is refused (no verified
code); a verification or switch that got there first is removed whole by the reset. Either
way the tenant ends in exactly its starting state, never half of one and half of the other.
"""

from functools import partial

import pytest
from django.test import Client

from accounts.models import AuditEvent, Channel, User
from outbox.models import OutboundEmail
from partners import errors as flow_errors
from partners import services as flow
from partners.models import PartnerCode, PartnerContract
from sandbox import errors, services
from sandbox.models import SandboxCustomer
from sandbox.services import Via
from tests.factories import PartnerFactory, UserFactory

from .support import errors_of, postgresql_only, run_concurrently, values_of

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 8
CREATORS = 8


def _sandbox_customer(staff, *, verified: bool):
    created = services.sandbox_customer_create(partner=staff.partner, by=staff, via=Via.API)
    if verified:
        _verify(staff, created)
    return created


def _verify(staff, created):
    return flow.code_verify(
        partner=staff.partner,
        staff=staff,
        domain=created.customer.works_group.domain,
        raw_code=created.code.code,
        show_profile=False,
    )


def _assert_at_its_starting_state(created, context: str) -> None:
    """One fresh unverified code, no contract, direct, and none of the flow's traces."""
    group = created.customer.works_group
    group.refresh_from_db()
    assert (group.channel, group.partner) == (Channel.ONLINE_DIRECT, None), context
    assert not PartnerContract.objects.filter(works_group=group).exists(), context
    [code] = PartnerCode.objects.filter(works_group=group)
    assert code.status == PartnerCode.Status.ISSUED and code.code != created.code.code, context
    trail = set(AuditEvent.objects.filter(works_group=group).values_list("action", flat=True))
    assert trail <= {
        AuditEvent.Action.SANDBOX_CUSTOMER_CREATED,
        AuditEvent.Action.CODE_ISSUED,
        AuditEvent.Action.SANDBOX_RESET,
    }, context
    assert not OutboundEmail.objects.filter(works_group=group).exists(), context


def test_a_reset_racing_a_partners_verification_never_leaves_a_half_state():
    staff = UserFactory(staff=True, partner=PartnerFactory())
    outcomes_seen = set()
    for round_number in range(ROUNDS):
        created = _sandbox_customer(staff, verified=False)
        group = created.customer.works_group

        reset, verified = run_concurrently(
            [
                partial(services.sandbox_tenant_reset, works_group=group, by=staff, via=Via.API),
                partial(_verify, staff, created),
            ]
        )

        context = f"round {round_number}: reset={reset}, verify={verified}"
        assert reset.error is None, context
        if verified.error is None:  # the partner got there first; the reset removed it whole
            outcomes_seen.add("verification first")
            assert verified.value.pk == created.code.pk, context
            assert not PartnerCode.objects.filter(pk=created.code.pk).exists(), context
        else:  # the reset got there first: the code the partner holds is gone
            outcomes_seen.add("reset first")
            assert type(verified.error) is flow_errors.WrongPair, context
            assert verified.error.message == flow_errors.WRONG_PAIR, context
        _assert_at_its_starting_state(created, context)
    assert outcomes_seen  # which order won each round is the scheduler's choice


def test_a_reset_racing_the_customers_switch_never_leaves_a_half_state():
    staff = UserFactory(staff=True, partner=PartnerFactory())
    for round_number in range(ROUNDS):
        created = _sandbox_customer(staff, verified=True)
        group = created.customer.works_group
        admin = User.objects.get(works_group=group)

        reset, completed = run_concurrently(
            [
                partial(services.sandbox_tenant_reset, works_group=group, by=staff, via=Via.API),
                partial(flow.contract_complete, works_group=group, by=admin),
            ]
        )

        context = f"round {round_number}: reset={reset}, complete={completed}"
        assert reset.error is None, context
        if completed.error is None:  # the switch got there first; the reset removed it whole
            assert completed.value.works_group_id == group.pk, context
        else:  # the reset got there first: the customer's code is a fresh, unverified one
            assert type(completed.error) is flow_errors.WrongState, context
            assert completed.error.message == flow_errors.NOT_VERIFIED, context
        _assert_at_its_starting_state(created, context)


def test_the_customers_switch_through_the_page_racing_the_reset_button():
    """The same race through the wizard's OK and its reset button: no 5xx, one clear end."""
    staff = UserFactory(staff=True, partner=PartnerFactory())
    for round_number in range(ROUNDS // 2):
        created = _sandbox_customer(staff, verified=True)
        admin = User.objects.get(works_group=created.customer.works_group)
        browsers = [Client(), Client()]
        for browser in browsers:
            browser.force_login(admin)

        outcomes = run_concurrently(
            [
                partial(browsers[0].post, "/console/sandbox/reset/"),
                partial(browsers[1].post, "/console/partner/contract/complete/"),
            ]
        )

        context = f"round {round_number}: {outcomes}"
        assert errors_of(outcomes) == [], context
        assert [response.status_code for response in values_of(outcomes)] == [302, 302], context
        _assert_at_its_starting_state(created, context)


def test_sandbox_customers_created_at_once_never_exceed_the_limit(settings):
    settings.SANDBOX_CUSTOMER_LIMIT = 3
    staff = UserFactory(staff=True, partner=PartnerFactory())

    outcomes = run_concurrently(
        [
            partial(services.sandbox_customer_create, partner=staff.partner, by=staff, via="api")
            for _ in range(CREATORS)
        ]
    )

    assert len(values_of(outcomes)) == 3
    assert [type(error) for error in errors_of(outcomes)] == [errors.LimitReached] * (CREATORS - 3)
    assert SandboxCustomer.objects.filter(partner=staff.partner).count() == 3
