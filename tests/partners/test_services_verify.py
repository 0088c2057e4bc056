"""The partner's verbs: preview and verify a customer's code (顧客の取り込み)."""

from contextlib import contextmanager
from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from partners import errors, services
from partners.models import PartnerCode
from tests.factories import PartnerCodeFactory, PartnerFactory, UserFactory, WorksGroupFactory
from tests.support import AUDIT_EVENTS

from .flow import ISSUED_AT, VERIFIED_AT, nothing_written, refused, verify

pytestmark = pytest.mark.django_db

A_WRONG_CODE = "ERVABCDEFGHJKMNPQLZ2"


def preview(staff, *, domain="mizl", raw_code, now=VERIFIED_AT, client_ip=None):
    return services.code_preview(
        partner=staff.partner,
        staff=staff,
        domain=domain,
        raw_code=raw_code,
        client_ip=client_ip,
        now=now,
    )


def failed_attempts() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.VERIFICATION_FAILED))


@contextmanager
def refused_attempt(exception, message):
    """Refused with `message`; the attempt is audited as VERIFICATION_FAILED, nothing else."""
    events_before = list(AuditEvent.objects.values_list("pk", flat=True))
    with nothing_written(ignore=(AUDIT_EVENTS,)), refused(exception, message):
        yield
    new_events = AuditEvent.objects.exclude(pk__in=events_before)
    assert [event.action for event in new_events] == [AuditEvent.Action.VERIFICATION_FAILED]


# -- the first partner wins --------------------------------------------------------------


def test_partner_verifies_the_code_and_waits_for_approval(code, partner, staff):
    verified = verify(staff, raw_code=code.code, show_profile=True)

    verified.refresh_from_db()
    assert verified.status == PartnerCode.Status.VERIFIED
    assert (verified.verified_at, verified.verified_by) == (VERIFIED_AT, staff)
    assert verified.verified_partner == partner
    assert verified.show_partner_profile is True
    event = AuditEvent.objects.get(action=AuditEvent.Action.CODE_VERIFIED)
    assert (event.actor, event.works_group, event.partner) == (staff, code.works_group, partner)
    assert event.details == {"code": code.masked, "show_partner_profile": True}


def test_approval_deadline_is_thirty_days_after_verification(code, staff):
    verified = verify(staff, raw_code=code.code)

    assert verified.approve_by == VERIFIED_AT + timedelta(days=30)


def test_approval_window_comes_from_settings(settings, code, staff):
    settings.APPROVAL_WINDOW_DAYS = 7

    verified = verify(staff, raw_code=code.code)

    assert verified.approve_by == VERIFIED_AT + timedelta(days=7)


def test_partner_may_keep_its_profile_hidden(code, staff):
    assert verify(staff, raw_code=code.code, show_profile=False).show_partner_profile is False


def test_code_is_accepted_as_people_type_it(code, staff):
    typed = "-".join(code.code[i : i + 4] for i in range(0, 20, 4)).lower()

    verified = verify(staff, domain="  MIZL ", raw_code=typed)

    assert verified.status == PartnerCode.Status.VERIFIED


def test_second_partner_cannot_verify_a_verified_code(verified_code, other_staff, partner):
    with refused_attempt(errors.CodeAlreadyUsed, errors.CODE_ALREADY_USED):
        verify(other_staff, raw_code=verified_code.code)

    verified_code.refresh_from_db()
    assert verified_code.verified_partner == partner


def test_same_partner_cannot_verify_twice(verified_code, staff):
    with refused_attempt(errors.CodeAlreadyUsed, errors.CODE_ALREADY_USED):
        verify(staff, raw_code=verified_code.code)


# -- refusals ----------------------------------------------------------------------------


def test_wrong_code_for_an_existing_group_is_a_wrong_pair(code, staff):
    with refused_attempt(errors.WrongPair, errors.WRONG_PAIR):
        verify(staff, raw_code=A_WRONG_CODE)


def test_unknown_group_is_the_same_wrong_pair(code, staff):
    with refused_attempt(errors.WrongPair, errors.WRONG_PAIR):
        verify(staff, domain="nosuchgroup", raw_code=A_WRONG_CODE)


def test_right_code_for_another_group_is_a_wrong_pair(code, staff):
    WorksGroupFactory(domain="kaisha")

    with refused_attempt(errors.WrongPair, errors.WRONG_PAIR):
        verify(staff, domain="kaisha", raw_code=code.code)


def test_wrong_pair_is_audited_without_naming_the_group(code, staff):
    with pytest.raises(errors.WrongPair):
        verify(staff, raw_code=A_WRONG_CODE)

    [event] = failed_attempts()
    assert (event.actor, event.partner, event.works_group) == (staff, staff.partner, None)
    assert event.details == {"domain": "mizl", "reason": "NOT_FOUND"}


def test_expired_code_is_refused(code, staff):
    with refused_attempt(errors.CodeExpired, errors.CODE_EXPIRED):
        verify(staff, raw_code=code.code, now=code.expires_at)


def test_code_is_still_verifiable_on_its_last_day(code, staff):
    last_instant = code.expires_at - timedelta(microseconds=1)

    assert verify(staff, raw_code=code.code, now=last_instant).status == "VERIFIED"


def test_recorded_expired_code_is_refused(group, staff):
    expired = PartnerCodeFactory(works_group=group, status=PartnerCode.Status.EXPIRED)

    with refused_attempt(errors.CodeExpired, errors.CODE_EXPIRED):
        verify(staff, raw_code=expired.code)


def test_right_pair_failure_is_audited_with_the_group(code, staff):
    with pytest.raises(errors.CodeExpired):
        verify(staff, raw_code=code.code, now=code.expires_at)

    [event] = failed_attempts()
    assert event.works_group == code.works_group
    assert event.details == {"domain": "mizl", "reason": "CODE_EXPIRED"}


def test_cancelled_code_is_refused(code, super_admin, staff):
    services.code_cancel(works_group=code.works_group, by=super_admin, now=ISSUED_AT)

    with refused_attempt(errors.CodeCancelled, errors.CODE_CANCELLED):
        verify(staff, raw_code=code.code)


def test_code_replaced_by_a_reissue_is_refused(code, super_admin, staff):
    services.code_reissue(works_group=code.works_group, by=super_admin, now=ISSUED_AT)

    with refused_attempt(errors.CodeCancelled, errors.CODE_CANCELLED):
        verify(staff, raw_code=code.code)


def test_declined_code_is_refused(verified_code, super_admin, other_staff):
    services.code_decline(works_group=verified_code.works_group, by=super_admin, now=VERIFIED_AT)

    with refused_attempt(errors.CodeCancelled, errors.CODE_CANCELLED):
        verify(other_staff, raw_code=verified_code.code)


def test_used_code_is_refused(verified_code, super_admin, other_staff):
    services.contract_complete(
        works_group=verified_code.works_group, by=super_admin, now=VERIFIED_AT
    )

    with refused_attempt(errors.CodeAlreadyUsed, errors.CODE_ALREADY_USED):
        verify(other_staff, raw_code=verified_code.code)


def test_lapsed_code_is_refused(verified_code, other_staff):
    with refused_attempt(errors.CodeAlreadyUsed, errors.CODE_ALREADY_USED):
        verify(other_staff, raw_code=verified_code.code, now=verified_code.approve_by)


def test_code_bound_to_another_partner_is_refused(group, super_admin, other_partner, staff):
    bound = services.code_issue(
        works_group=group, by=super_admin, intended_partner=other_partner, now=ISSUED_AT
    )

    with refused_attempt(errors.OtherPartnersCode, errors.OTHER_PARTNER):
        verify(staff, raw_code=bound.code)


def test_code_bound_to_the_partner_is_verified_by_it(group, super_admin, partner, staff):
    bound = services.code_issue(
        works_group=group, by=super_admin, intended_partner=partner, now=ISSUED_AT
    )

    assert verify(staff, raw_code=bound.code).verified_partner == partner


def test_malformed_code_is_refused(code, staff):
    with refused_attempt(errors.MalformedCodeInput, errors.MALFORMED_CODE):
        verify(staff, raw_code="ERV-0000")


def test_inactive_partner_cannot_verify(code):
    retired = PartnerFactory(is_active=False)
    retired_staff = UserFactory(staff=True, partner=retired)

    with nothing_written(), refused(errors.PartnerInactive, errors.INACTIVE_PARTNER):
        verify(retired_staff, raw_code=code.code)


@pytest.mark.parametrize("role", ["super_admin", "admin"])
def test_customer_users_cannot_verify(request, code, partner, role):
    customer = request.getfixturevalue(role)

    with nothing_written(), refused(errors.NotAllowed, errors.NOT_PARTNER_STAFF):
        services.code_verify(
            partner=partner,
            staff=customer,
            domain="mizl",
            raw_code=code.code,
            show_profile=False,
            now=VERIFIED_AT,
        )


# -- preview -----------------------------------------------------------------------------


def test_preview_shows_who_the_customer_is_and_writes_nothing(code, staff):
    with nothing_written():
        shown = preview(staff, raw_code=code.code.lower())

    assert shown.code == code
    assert (shown.domain, shown.company_name, shown.group_name) == ("mizl", "水谷建設", "水谷")
    assert (shown.plan, shown.plan_label, shown.seats) == ("STANDARD", "スタンダード", 25)
    assert shown.not_handled_apps == ["drive"]


def test_preview_refuses_what_verify_refuses(verified_code, other_staff):
    with refused_attempt(errors.CodeAlreadyUsed, errors.CODE_ALREADY_USED):
        preview(other_staff, raw_code=verified_code.code)


# -- rate limit --------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.VERIFY_RATE_LIMIT = 3
    settings.VERIFY_RATE_WINDOW_SECONDS = 15 * 60
    return 3


def fail(staff, *, times, client_ip=None):
    for _ in range(times):
        with pytest.raises(errors.WrongPair):
            verify(staff, raw_code=A_WRONG_CODE, client_ip=client_ip)


def test_too_many_failures_are_rate_limited_even_for_the_right_code(code, staff, limit):
    fail(staff, times=limit)

    with nothing_written(), pytest.raises(errors.RateLimited) as limited:
        verify(staff, raw_code=code.code)

    assert 0 < limited.value.retry_after <= 15 * 60 + 1
    assert limited.value.message == errors.RATE_LIMITED % {"minutes": 15}
    assert limited.value.status == 429


def test_failures_below_the_limit_do_not_block(code, staff, limit):
    fail(staff, times=limit - 1)

    assert verify(staff, raw_code=code.code).status == PartnerCode.Status.VERIFIED


def test_rate_limit_follows_the_staff_user_across_addresses(code, staff, limit):
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        fail(staff, times=1, client_ip=address)

    with pytest.raises(errors.RateLimited):
        verify(staff, raw_code=code.code, client_ip="192.0.2.4")


def test_rate_limit_follows_the_client_address_across_staff_users(code, partner, limit):
    colleagues = UserFactory.create_batch(3, staff=True, partner=partner)
    for colleague in colleagues:
        fail(colleague, times=1, client_ip="192.0.2.1")

    newcomer = UserFactory(staff=True, partner=partner)
    with pytest.raises(errors.RateLimited):
        verify(newcomer, raw_code=code.code, client_ip="192.0.2.1")
    assert verify(newcomer, raw_code=code.code, client_ip="192.0.2.9").status == "VERIFIED"


def test_successful_attempts_do_not_count_against_the_limit(code, staff, limit):
    for _ in range(limit + 2):
        preview(staff, raw_code=code.code)
    fail(staff, times=limit - 1)

    assert verify(staff, raw_code=code.code).status == PartnerCode.Status.VERIFIED


def test_rate_limited_attempt_is_not_counted_as_another_failure(code, staff, limit):
    fail(staff, times=limit)

    with pytest.raises(errors.RateLimited):
        verify(staff, raw_code=A_WRONG_CODE)

    assert len(failed_attempts()) == limit
