"""Expiry and lapse: derived on read, recorded (with notices) by `manage.py expire_codes`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent
from outbox.models import OutboundEmail
from partners import services
from partners.models import PartnerCode
from partners.selectors import wizard_state_get
from tests.factories import PartnerCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired_code(db):
    """Another group's code, issued 40 days ago and never verified."""
    return PartnerCodeFactory(expired=True)


@pytest.fixture
def lapsed_code(group, super_admin, partner, staff):
    """Verified 31 days ago and never approved."""
    verified_at = timezone.now() - timedelta(days=31)
    return PartnerCodeFactory(
        works_group=group,
        issued_by=super_admin,
        issued_at=verified_at - timedelta(days=1),
        verified=True,
        verified_partner=partner,
        verified_by=staff,
        verified_at=verified_at,
    )


def expire_codes() -> str:
    out = StringIO()
    call_command("expire_codes", stdout=out)
    return out.getvalue()


def test_expired_code_reads_as_expired_before_any_job_ran(expired_code):
    assert expired_code.status == PartnerCode.Status.ISSUED
    assert expired_code.status_at() == PartnerCode.Status.EXPIRED


def test_wizard_is_back_at_step_one_once_the_code_expired(expired_code):
    state = wizard_state_get(works_group=expired_code.works_group, now=timezone.now())

    assert state.step == 1
    assert state.last_code_notice == (
        f"前回のパートナーコード（{expired_code.masked}）は有効期間が過ぎました。"
    )


def test_wizard_is_back_at_step_one_once_approval_lapsed(verified_code):
    state = wizard_state_get(works_group=verified_code.works_group, now=verified_code.approve_by)

    assert state.step == 1
    assert state.last_code_notice == (
        f"前回のパートナーコード（{verified_code.masked}）は承認期限が過ぎたため無効になりました。"
    )


def test_expire_codes_records_expiry_at_the_moment_it_happened(expired_code):
    assert expire_codes() == "1 code(s) closed.\n"

    expired_code.refresh_from_db()
    assert expired_code.status == PartnerCode.Status.EXPIRED
    assert expired_code.closed_at == expired_code.expires_at
    event = AuditEvent.objects.get(action=AuditEvent.Action.CODE_EXPIRED)
    assert (event.works_group, event.actor_label) == (expired_code.works_group, "system")
    assert event.details == {"code": expired_code.masked}
    assert not OutboundEmail.objects.exists()


def test_expire_codes_records_lapse_and_tells_both_sides(
    lapsed_code, super_admin, partner, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        expire_codes()

    lapsed_code.refresh_from_db()
    assert lapsed_code.status == PartnerCode.Status.LAPSED
    assert lapsed_code.closed_at == lapsed_code.approve_by
    event = AuditEvent.objects.get(action=AuditEvent.Action.CODE_LAPSED)
    assert (event.works_group, event.partner) == (lapsed_code.works_group, partner)
    [email] = mailoutbox
    assert email.to == [staff.email, super_admin.email]
    assert email.subject == "承認期限が過ぎたため、パートナーコードが無効になりました。"


def test_expire_codes_leaves_open_codes_alone(pending_code):
    PartnerCodeFactory()  # another group's code, issued just now

    assert expire_codes() == "0 code(s) closed.\n"

    assert sorted(PartnerCode.objects.values_list("status", flat=True)) == [
        PartnerCode.Status.ISSUED,
        PartnerCode.Status.VERIFIED,
    ]
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.CODE_EXPIRED, AuditEvent.Action.CODE_LAPSED]
    ).exists()


def test_expire_codes_twice_does_nothing_more(
    expired_code, lapsed_code, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_codes() == "2 code(s) closed.\n"
    events, emails = AuditEvent.objects.count(), len(mailoutbox)
    assert emails == 1  # the lapse notice

    with django_capture_on_commit_callbacks(execute=True):
        assert expire_codes() == "0 code(s) closed.\n"

    assert (AuditEvent.objects.count(), len(mailoutbox)) == (events, emails)


def test_recording_takes_the_injected_time(verified_code):
    closed = services.code_close_due(now=verified_code.approve_by)

    verified_code.refresh_from_db()
    assert closed == 1
    assert verified_code.status == PartnerCode.Status.LAPSED


def test_nothing_is_due_one_microsecond_before_the_deadline(verified_code):
    closed = services.code_close_due(now=verified_code.approve_by - timedelta(microseconds=1))

    verified_code.refresh_from_db()
    assert closed == 0
    assert verified_code.status == PartnerCode.Status.VERIFIED
