"""The customer's verbs: issue, re-issue, cancel, decline, 承認 and the switch itself."""

from datetime import date, timedelta

import pytest

from accounts.models import AuditEvent, Channel, Plan
from accounts.services import NOT_SUPER_ADMIN
from partners import errors, services
from partners.models import PartnerCode, PartnerContract
from tests.factories import PartnerFactory, UserFactory

from .flow import COMPLETED_AT, ISSUED_AT, VERIFIED_AT, nothing_written, refused

pytestmark = pytest.mark.django_db


def actions(group) -> list[str]:
    return list(AuditEvent.objects.filter(works_group=group).values_list("action", flat=True))


# -- issue -------------------------------------------------------------------------------


def test_super_admin_issues_code_valid_through_same_day_next_month(group, super_admin):
    code = services.code_issue(works_group=group, by=super_admin, now=ISSUED_AT)

    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED
    assert (code.issued_at, code.issued_by) == (ISSUED_AT, super_admin)
    assert code.valid_until() == date(2023, 4, 14)
    assert code.intended_partner is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.CODE_ISSUED)
    assert (event.actor, event.works_group) == (super_admin, group)
    assert event.details == {"code": code.masked, "valid_until": "2023-04-14"}


def test_issued_code_can_be_bound_to_the_partner_the_customer_picked(group, super_admin, partner):
    code = services.code_issue(
        works_group=group, by=super_admin, intended_partner=partner, now=ISSUED_AT
    )

    assert code.intended_partner == partner
    assert AuditEvent.objects.get(action=AuditEvent.Action.CODE_ISSUED).partner == partner


def test_code_cannot_be_bound_to_an_inactive_partner(group, super_admin):
    retired = PartnerFactory(is_active=False)

    with nothing_written(), refused(errors.PartnerInactive, errors.INACTIVE_PARTNER):
        services.code_issue(
            works_group=group, by=super_admin, intended_partner=retired, now=ISSUED_AT
        )


def test_admin_cannot_issue_code(group, admin):
    with nothing_written(), refused(errors.NotAllowed, NOT_SUPER_ADMIN):
        services.code_issue(works_group=group, by=admin, now=ISSUED_AT)


def test_super_admin_of_another_group_cannot_issue_code(group):
    stranger = UserFactory()

    with nothing_written(), refused(errors.NotAllowed, NOT_SUPER_ADMIN):
        services.code_issue(works_group=group, by=stranger, now=ISSUED_AT)


def test_partner_staff_cannot_issue_code(group, staff):
    with nothing_written(), refused(errors.NotAllowed, NOT_SUPER_ADMIN):
        services.code_issue(works_group=group, by=staff, now=ISSUED_AT)


def test_second_code_cannot_be_issued_while_one_is_open(code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.CODE_ALREADY_OPEN):
        services.code_issue(works_group=code.works_group, by=super_admin, now=ISSUED_AT)


def test_second_code_cannot_be_issued_while_one_awaits_approval(verified_code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.CODE_ALREADY_OPEN):
        services.code_issue(works_group=verified_code.works_group, by=super_admin, now=VERIFIED_AT)


def test_group_with_a_contract_can_never_issue_a_code_again(verified_code, super_admin):
    group = verified_code.works_group
    services.contract_complete(works_group=group, by=super_admin, now=COMPLETED_AT)

    with nothing_written(), refused(errors.AlreadyContracted, errors.ALREADY_CONTRACTED):
        services.code_issue(works_group=group, by=super_admin, now=COMPLETED_AT)


def test_expired_open_code_is_recorded_and_a_new_one_issued(code, super_admin):
    group = code.works_group

    new = services.code_issue(works_group=group, by=super_admin, now=code.expires_at)

    code.refresh_from_db()
    assert code.status == PartnerCode.Status.EXPIRED
    assert code.closed_at == code.expires_at
    assert new.status == PartnerCode.Status.ISSUED
    assert new.code != code.code
    assert new.valid_until() == date(2023, 5, 15)
    assert actions(group)[:2] == [AuditEvent.Action.CODE_ISSUED, AuditEvent.Action.CODE_EXPIRED]


def test_lapsed_code_is_recorded_and_a_new_one_issued(verified_code, super_admin):
    group = verified_code.works_group

    new = services.code_issue(works_group=group, by=super_admin, now=verified_code.approve_by)

    verified_code.refresh_from_db()
    assert verified_code.status == PartnerCode.Status.LAPSED
    assert verified_code.closed_at == verified_code.approve_by
    assert new.status == PartnerCode.Status.ISSUED
    assert AuditEvent.Action.CODE_LAPSED in actions(group)


# -- re-issue and cancel -----------------------------------------------------------------


def test_reissue_cancels_the_old_code_and_issues_a_different_one(code, super_admin):
    later = ISSUED_AT + timedelta(days=3)

    new = services.code_reissue(works_group=code.works_group, by=super_admin, now=later)

    code.refresh_from_db()
    assert code.status == PartnerCode.Status.CANCELLED
    assert code.cancel_reason == PartnerCode.CancelReason.REISSUED
    assert code.closed_at == later
    assert new.status == PartnerCode.Status.ISSUED
    assert new.code != code.code
    assert new.valid_until() == date(2023, 4, 17)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CODE_REISSUED)
    assert event.details == {"old_code": code.masked, "code": new.masked}


def test_reissued_code_stays_bound_to_the_same_partner(group, super_admin, partner):
    services.code_issue(works_group=group, by=super_admin, intended_partner=partner, now=ISSUED_AT)

    new = services.code_reissue(works_group=group, by=super_admin, now=ISSUED_AT)

    assert new.intended_partner == partner


def test_code_cannot_be_reissued_after_a_partner_verified_it(verified_code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.CODE_NOT_REISSUABLE):
        services.code_reissue(
            works_group=verified_code.works_group, by=super_admin, now=VERIFIED_AT
        )


def test_reissue_needs_an_open_code(group, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.NO_OPEN_CODE):
        services.code_reissue(works_group=group, by=super_admin, now=ISSUED_AT)


def test_admin_cannot_reissue_code(code, admin):
    with nothing_written(), refused(errors.NotAllowed, NOT_SUPER_ADMIN):
        services.code_reissue(works_group=code.works_group, by=admin, now=ISSUED_AT)


def test_cancel_withdraws_the_unverified_code(code, super_admin):
    cancelled = services.code_cancel(works_group=code.works_group, by=super_admin, now=ISSUED_AT)

    cancelled.refresh_from_db()
    assert cancelled.status == PartnerCode.Status.CANCELLED
    assert cancelled.cancel_reason == PartnerCode.CancelReason.CANCELLED
    assert cancelled.closed_at == ISSUED_AT
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CODE_CANCELLED).count() == 1


def test_code_cannot_be_cancelled_after_a_partner_verified_it(verified_code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.CODE_NOT_REISSUABLE):
        services.code_cancel(works_group=verified_code.works_group, by=super_admin, now=VERIFIED_AT)


def test_cancel_needs_an_open_code(group, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.NO_OPEN_CODE):
        services.code_cancel(works_group=group, by=super_admin, now=ISSUED_AT)


def test_expired_code_cannot_be_cancelled(code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.NO_OPEN_CODE):
        services.code_cancel(works_group=code.works_group, by=super_admin, now=code.expires_at)


def test_admin_cannot_cancel_code(code, admin):
    with nothing_written(), refused(errors.NotAllowed, NOT_SUPER_ADMIN):
        services.code_cancel(works_group=code.works_group, by=admin, now=ISSUED_AT)


# -- decline -----------------------------------------------------------------------------


def test_decline_cancels_the_verified_code_and_tells_the_partner(
    verified_code, super_admin, partner, staff
):
    declined = services.code_decline(
        works_group=verified_code.works_group, by=super_admin, now=COMPLETED_AT
    )

    declined.refresh_from_db()
    assert declined.status == PartnerCode.Status.CANCELLED
    assert declined.cancel_reason == PartnerCode.CancelReason.DECLINED
    event = AuditEvent.objects.get(action=AuditEvent.Action.CODE_DECLINED)
    assert (event.actor, event.partner) == (super_admin, partner)
    queued = AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_QUEUED).first()
    assert queued.details["template"] == "code_declined"


def test_unverified_code_cannot_be_declined(code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.NOT_VERIFIED):
        services.code_decline(works_group=code.works_group, by=super_admin, now=ISSUED_AT)


def test_admin_cannot_decline(verified_code, admin):
    with nothing_written(), refused(errors.NotAllowed, NOT_SUPER_ADMIN):
        services.code_decline(works_group=verified_code.works_group, by=admin, now=VERIFIED_AT)


# -- 承認 --------------------------------------------------------------------------------


def test_approval_check_returns_the_verified_code_and_writes_nothing(verified_code, super_admin):
    with nothing_written():
        checked = services.code_approval_check(
            works_group=verified_code.works_group, by=super_admin, now=COMPLETED_AT
        )

    assert checked == verified_code


def test_approval_check_refuses_before_verification(code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.NOT_VERIFIED):
        services.code_approval_check(works_group=code.works_group, by=super_admin, now=ISSUED_AT)


def test_approval_check_refuses_after_the_approval_window(verified_code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.NO_OPEN_CODE):
        services.code_approval_check(
            works_group=verified_code.works_group, by=super_admin, now=verified_code.approve_by
        )


def test_admin_cannot_approve(verified_code, admin):
    with nothing_written(), refused(errors.NotAllowed, NOT_SUPER_ADMIN):
        services.code_approval_check(
            works_group=verified_code.works_group, by=admin, now=VERIFIED_AT
        )


# -- the switch --------------------------------------------------------------------------


def test_complete_switch_creates_the_contract_with_its_settlement(
    verified_code, super_admin, partner
):
    group = verified_code.works_group

    contract = services.contract_complete(works_group=group, by=super_admin, now=COMPLETED_AT)

    contract.refresh_from_db()
    assert (contract.works_group, contract.partner, contract.code) == (
        group,
        partner,
        verified_code,
    )
    assert (contract.completed_at, contract.completed_by) == (COMPLETED_AT, super_admin)
    assert (contract.company_name, contract.group_name) == ("水谷建設", "水谷")
    assert contract.settlement_plan == Plan.STANDARD
    assert (contract.settlement_seats, contract.settlement_unit_price) == (25, 540)
    assert contract.settlement_period_start == date(2023, 3, 1)
    assert contract.settlement_period_end == date(2023, 3, 13)
    assert (contract.settlement_subtotal, contract.settlement_tax) == (5661, 566)
    assert contract.settlement_total == 6227


def test_complete_switch_uses_the_code_and_moves_the_group_to_the_partner(
    verified_code, super_admin, partner
):
    group = verified_code.works_group

    services.contract_complete(works_group=group, by=super_admin, now=COMPLETED_AT)

    verified_code.refresh_from_db()
    group.refresh_from_db()
    assert verified_code.status == PartnerCode.Status.USED
    assert verified_code.closed_at == COMPLETED_AT
    assert (group.channel, group.partner) == (Channel.PARTNER, partner)
    assert group.company_info.switched_to == partner  # the API's customer list walks it
    event = AuditEvent.objects.get(action=AuditEvent.Action.SWITCH_COMPLETED)
    assert (event.actor, event.partner) == (super_admin, partner)
    assert event.details == {"code": verified_code.masked, "settlement_total": 6227}


def test_stored_settlement_reads_back_as_the_statement(verified_code, super_admin):
    contract = services.contract_complete(
        works_group=verified_code.works_group, by=super_admin, now=COMPLETED_AT
    )

    settlement = PartnerContract.objects.get(pk=contract.pk).settlement

    assert (settlement.days_elapsed, settlement.days_in_month) == (13, 31)
    assert (settlement.subtotal, settlement.tax, settlement.total) == (5661, 566, 6227)


def test_switch_is_refused_while_company_info_is_incomplete(verified_code, super_admin):
    info = verified_code.works_group.company_info
    info.phone = ""
    info.save()

    with nothing_written(), refused(errors.CompanyInfoIncomplete, errors.COMPANY_INFO_INCOMPLETE):
        services.contract_complete(
            works_group=verified_code.works_group, by=super_admin, now=COMPLETED_AT
        )


def test_switch_is_refused_after_the_approval_window(verified_code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.NO_OPEN_CODE):
        services.contract_complete(
            works_group=verified_code.works_group, by=super_admin, now=verified_code.approve_by
        )


def test_switch_is_refused_before_a_partner_verified(code, super_admin):
    with nothing_written(), refused(errors.WrongState, errors.NOT_VERIFIED):
        services.contract_complete(works_group=code.works_group, by=super_admin, now=ISSUED_AT)


def test_second_switch_is_refused(verified_code, super_admin):
    group = verified_code.works_group
    services.contract_complete(works_group=group, by=super_admin, now=COMPLETED_AT)

    with nothing_written(), refused(errors.AlreadyContracted, errors.ALREADY_CONTRACTED):
        services.contract_complete(works_group=group, by=super_admin, now=COMPLETED_AT)


def test_admin_cannot_complete_the_switch(verified_code, admin):
    with nothing_written(), refused(errors.NotAllowed, NOT_SUPER_ADMIN):
        services.contract_complete(
            works_group=verified_code.works_group, by=admin, now=COMPLETED_AT
        )


def test_free_group_switches_with_a_zero_settlement(verified_code, super_admin):
    group = verified_code.works_group
    group.plan = Plan.FREE
    group.save()

    contract = services.contract_complete(works_group=group, by=super_admin, now=COMPLETED_AT)

    assert contract.settlement_plan == Plan.FREE
    assert contract.settlement_total == 0
