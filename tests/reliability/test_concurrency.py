"""Races between real transactions on PostgreSQL.

Every test starts its callers together on a barrier, each in its own thread with its own
connection, and then looks only at what the database and the mailbox hold: the first
partner wins, a double submit is harmless, a re-issue and a verification never cross.
"""

import json
from datetime import timedelta
from functools import partial

import pytest
from django.test import Client

from accounts.models import AuditEvent, Channel
from api.models import AccessToken
from api.oauth import JWT_BEARER
from api.services import api_app_create
from outbox.models import OutboundEmail
from partners import errors, services
from partners.models import PartnerCode, PartnerContract
from tests.api.oauth_support import sign, sign_in, token_request
from tests.factories import PartnerCodeFactory, PartnerFactory, UserFactory, WorksGroupFactory
from tests.support import db_state

from .support import errors_of, postgresql_only, run_concurrently, values_of

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

VERIFIERS = 32
DOUBLE_SUBMITS = 4
ROUNDS = 8


def _customer():
    group = WorksGroupFactory()
    return group, UserFactory(works_group=group)


def _verified_customer():
    """A group whose code a partner has verified: the wizard is at 承認."""
    code = PartnerCodeFactory(verified=True)
    return code.works_group, code.issued_by, code


def _signed_in_clients(user, count: int) -> list[Client]:
    """`count` browsers of one user, as when a button is pressed again before the reply."""
    clients = [Client() for _ in range(count)]
    for client in clients:
        client.force_login(user)
    return clients


# 顧客の取り込み: the first partner wins -------------------------------------------------


def test_thirty_two_partners_verifying_one_code_at_once_exactly_one_wins(mailoutbox):
    group, admin = _customer()
    code = services.code_issue(works_group=group, by=admin)
    staff = [UserFactory(staff=True, partner=PartnerFactory()) for _ in range(VERIFIERS)]

    outcomes = run_concurrently(
        [
            partial(
                services.code_verify,
                partner=member.partner,
                staff=member,
                domain=group.domain,
                raw_code=code.code,
                show_profile=True,
                client_ip=f"198.51.100.{index}",
            )
            for index, member in enumerate(staff)
        ]
    )

    winners = values_of(outcomes)
    refusals = errors_of(outcomes)
    assert len(winners) == 1
    assert [type(error) for error in refusals] == [errors.CodeAlreadyUsed] * (VERIFIERS - 1)
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.VERIFIED
    assert code.verified_by == winners[0].verified_by
    assert code.verified_partner == winners[0].verified_by.partner
    verified = AuditEvent.objects.filter(action=AuditEvent.Action.CODE_VERIFIED)
    assert verified.count() == 1
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.VERIFICATION_FAILED)
    assert sorted(event.details["reason"] for event in failed) == ["CODE_ALREADY_USED"] * (
        VERIFIERS - 1
    )
    assert OutboundEmail.objects.filter(template="code_verified").count() == 1
    assert [message.to for message in mailoutbox] == [[admin.email]]


def test_partners_submitting_the_import_page_at_once_get_one_success_and_no_5xx(mailoutbox):
    group, admin = _customer()
    code = services.code_issue(works_group=group, by=admin)
    browsers = []
    for index in range(8):
        browser = Client(REMOTE_ADDR=f"203.0.113.{index}")
        browser.force_login(UserFactory(staff=True, partner=PartnerFactory()))
        browsers.append(browser)
    form = {"domain": group.domain, "code": code.code, "show_profile": "on", "confirm": "1"}

    outcomes = run_concurrently(
        [partial(browser.post, "/partner/customers/import/", form) for browser in browsers]
    )

    assert errors_of(outcomes) == []
    statuses = sorted(response.status_code for response in values_of(outcomes))
    assert statuses == [200] * 7 + [302]
    refused = [response for response in values_of(outcomes) if response.status_code == 200]
    assert all(str(errors.CODE_ALREADY_USED) in response.text for response in refused)
    assert PartnerCode.objects.get().status == PartnerCode.Status.VERIFIED
    assert len(mailoutbox) == 1


# Double submits of コード発行, 承認 and OK ----------------------------------------------


def test_concurrent_code_issues_leave_one_open_code():
    group, admin = _customer()

    outcomes = run_concurrently(
        [partial(services.code_issue, works_group=group, by=admin)] * DOUBLE_SUBMITS
    )

    assert len(values_of(outcomes)) == 1
    refusals = errors_of(outcomes)
    assert [type(error) for error in refusals] == [errors.WrongState] * (DOUBLE_SUBMITS - 1)
    assert {str(error.message) for error in refusals} == {str(errors.CODE_ALREADY_OPEN)}
    assert PartnerCode.objects.filter(works_group=group).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CODE_ISSUED).count() == 1


def test_double_submitted_code_issue_button_issues_one_code():
    group, admin = _customer()
    browsers = _signed_in_clients(admin, DOUBLE_SUBMITS)

    outcomes = run_concurrently(
        [partial(browser.post, "/console/partner/contract/issue/") for browser in browsers]
    )

    assert errors_of(outcomes) == []
    assert [response.status_code for response in values_of(outcomes)] == [302] * DOUBLE_SUBMITS
    assert PartnerCode.objects.filter(works_group=group).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CODE_ISSUED).count() == 1


def test_double_submitted_approve_button_writes_nothing():
    group, admin, _code = _verified_customer()
    browsers = _signed_in_clients(admin, DOUBLE_SUBMITS)
    before = db_state()

    outcomes = run_concurrently(
        [partial(browser.post, "/console/partner/contract/approve/") for browser in browsers]
    )

    assert errors_of(outcomes) == []
    assert {response["Location"] for response in values_of(outcomes)} == {
        "/console/partner/contract/confirm/"
    }
    assert db_state() == before


def test_concurrent_switch_completions_make_one_contract():
    group, admin, code = _verified_customer()

    outcomes = run_concurrently(
        [partial(services.contract_complete, works_group=group, by=admin)] * DOUBLE_SUBMITS
    )

    assert len(values_of(outcomes)) == 1
    refusals = errors_of(outcomes)
    assert [type(error) for error in refusals] == [errors.AlreadyContracted] * (DOUBLE_SUBMITS - 1)
    assert PartnerContract.objects.get().code == code


def test_double_submitted_ok_button_completes_the_switch_once(mailoutbox):
    group, admin, code = _verified_customer()
    browsers = _signed_in_clients(admin, DOUBLE_SUBMITS)

    outcomes = run_concurrently(
        [partial(browser.post, "/console/partner/contract/complete/") for browser in browsers]
    )

    assert errors_of(outcomes) == []
    assert [response.status_code for response in values_of(outcomes)] == [302] * DOUBLE_SUBMITS
    contract = PartnerContract.objects.get()
    assert contract.works_group == group
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.USED
    group.refresh_from_db()
    assert (group.channel, group.partner) == (Channel.PARTNER, code.verified_partner)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SWITCH_COMPLETED).count() == 1
    assert OutboundEmail.objects.filter(template="switch_completed").count() == 1
    assert [sorted(message.to) for message in mailoutbox] == [
        sorted([admin.email, code.verified_by.email])
    ]


# Re-issue or cancel against a verification --------------------------------------------


@pytest.mark.parametrize(
    "withdraw", [services.code_reissue, services.code_cancel], ids=["reissue", "cancel"]
)
def test_a_code_withdrawn_while_a_partner_verifies_it_is_never_the_verified_one(withdraw):
    """Either the partner wins (the code stays verified and cannot be withdrawn) or the
    customer does (the partner is told the code was cancelled); never both, never a crash.
    Which one wins is the scheduler's choice, so the race is run several times."""
    for round_number in range(ROUNDS):
        group, admin = _customer()
        code = services.code_issue(works_group=group, by=admin)
        staff = UserFactory(staff=True, partner=PartnerFactory())

        withdrawn, verified = run_concurrently(
            [
                partial(withdraw, works_group=group, by=admin),
                partial(
                    services.code_verify,
                    partner=staff.partner,
                    staff=staff,
                    domain=group.domain,
                    raw_code=code.code,
                    show_profile=False,
                ),
            ]
        )

        code.refresh_from_db()
        open_codes = PartnerCode.objects.filter(
            works_group=group, status__in=PartnerCode.OPEN_STATUSES
        )
        context = f"round {round_number}: withdraw={withdrawn}, verify={verified}"
        if verified.error is None:
            assert type(withdrawn.error) is errors.WrongState, context
            assert withdrawn.error.message == errors.CODE_NOT_REISSUABLE, context
            assert verified.value.pk == code.pk
            assert code.status == PartnerCode.Status.VERIFIED
            assert list(open_codes) == [code]
        else:
            assert withdrawn.error is None, context
            assert type(verified.error) is errors.CodeCancelled, context
            assert code.status == PartnerCode.Status.CANCELLED
            assert code.verified_at is None and code.verified_partner is None
            assert all(other.status == PartnerCode.Status.ISSUED for other in open_codes)
    assert not PartnerCode.objects.filter(
        status=PartnerCode.Status.CANCELLED, verified_partner__isnull=False
    ).exists()


def test_the_lapse_job_racing_a_customer_records_one_lapse_and_never_crashes():
    """`manage.py expire_codes` and the customer's 拒否 on a code whose approval window just
    closed: the lapse is recorded and notified once, the customer is told there is no open
    code, and neither side fails with a database error."""
    for round_number in range(ROUNDS):
        group, admin, code = _verified_customer()
        later = code.approve_by + timedelta(minutes=1)

        job, customer = run_concurrently(
            [
                partial(services.code_close_due, now=later),
                partial(services.code_decline, works_group=group, by=admin, now=later),
            ]
        )

        context = f"round {round_number}: job={job}, customer={customer}"
        assert job.error is None, context
        assert type(customer.error) is errors.WrongState, context
        code.refresh_from_db()
        assert code.status == PartnerCode.Status.LAPSED
        lapses = AuditEvent.objects.filter(action=AuditEvent.Action.CODE_LAPSED, works_group=group)
        assert lapses.count() == 1
        notices = OutboundEmail.objects.filter(template="code_lapsed", works_group=group)
        assert notices.count() == 1


# The API through OAuth access tokens ----------------------------------------------------


def test_thirty_two_apps_transferring_one_code_at_once_exactly_one_wins(mailoutbox):
    """32 partners' systems, each signed in as its app's service account, send the transfer
    of the same code at the same moment: one 202, 31 refusals, no 5xx."""
    group, admin = _customer()
    code = services.code_issue(works_group=group, by=admin)
    signing = Client()
    callers = []
    for index in range(VERIFIERS):
        staff = UserFactory(staff=True, partner=PartnerFactory())
        app = api_app_create(staff=staff, name=f"連携{index}", scopes=["partner"])
        token = sign_in(signing, app)["access_token"]
        callers.append((Client(REMOTE_ADDR=f"198.51.100.{index}"), token))
    body = json.dumps({"partnerCode": code.code, "enablePartnerProfileDisplay": True})
    url = f"/api/v1/partners/potential-customers/{group.domain}/transfer"

    outcomes = run_concurrently(
        [
            partial(
                client.post,
                url,
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            for client, token in callers
        ]
    )

    assert errors_of(outcomes) == []
    responses = values_of(outcomes)
    assert sorted(response.status_code for response in responses) == [202] + [409] * 31
    refused = [response.json()["code"] for response in responses if response.status_code == 409]
    assert refused == ["CODE_ALREADY_USED"] * (VERIFIERS - 1)
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.VERIFIED
    verified = AuditEvent.objects.get(action=AuditEvent.Action.CODE_VERIFIED)
    assert verified.details["api_app"].isalnum()
    assert [message.to for message in mailoutbox] == [[admin.email]]


def test_an_assertion_sent_eight_times_at_once_gets_one_token():
    """A replayed assertion racing the original: the unique row of spent assertions lets one
    exchange through; every other is invalid_grant, none a 5xx."""
    staff = UserFactory(staff=True, partner=PartnerFactory())
    app = api_app_create(staff=staff, name="連携", scopes=["partner"])
    assertion = sign(app)
    clients = [Client() for _ in range(DOUBLE_SUBMITS * 2)]

    outcomes = run_concurrently(
        [
            partial(token_request, client, app, grant_type=JWT_BEARER, assertion=assertion)
            for client in clients
        ]
    )

    assert errors_of(outcomes) == []
    statuses = sorted(response.status_code for response in values_of(outcomes))
    assert statuses == [200] + [400] * (len(clients) - 1)
    assert AccessToken.objects.count() == 1


# The verification rate limit under a burst ------------------------------------------------


def test_a_burst_of_wrong_guesses_never_gets_more_than_the_limit(settings):
    """Issue 16: with check and count apart, a burst of 48 got 12–18 tries."""
    settings.VERIFY_RATE_LIMIT = 10
    code = PartnerCodeFactory()
    staff = UserFactory(staff=True)
    guess = partial(
        services.code_preview,
        partner=staff.partner,
        staff=staff,
        domain=code.works_group.domain,
        raw_code="ABCDEFGHJKLMNPQRSTUV",
        client_ip="192.0.2.48",
    )

    refusals = [type(error) for error in errors_of(run_concurrently([guess] * 48))]

    assert len(refusals) == 48
    guesses = refusals.count(errors.WrongPair)
    assert refusals.count(errors.RateLimited) == 48 - guesses
    assert 1 <= guesses <= 10
    while True:
        with pytest.raises((errors.WrongPair, errors.RateLimited)) as refused:
            guess()
        if refused.type is errors.RateLimited:
            break
        guesses += 1
    assert guesses == 10
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.VERIFICATION_FAILED)
    assert failed.count() == 10
