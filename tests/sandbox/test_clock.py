"""Moving a sandbox code's clock: the stored date moves to now, and everything that follows
happens as it would have when the time came (the expiry job's own step records it)."""

from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent, User
from outbox.models import OutboundEmail
from partners import errors as flow_errors
from partners import services as flow
from partners.models import PartnerCode
from sandbox import errors, services
from sandbox.services import Via
from sandbox.tenant import SandboxAct
from tests.factories import PartnerCodeFactory, UserFactory
from tests.partners.flow import refused, verify
from tests.support import nothing_written

from .conftest import create
from .walk import signed_in

pytestmark = pytest.mark.django_db


def expire(group, by, now=None):
    return services.sandbox_code_expire(works_group=group, by=by, via=Via.API, now=now)


def lapse(group, by, now=None):
    return services.sandbox_code_lapse(works_group=group, by=by, via=Via.API, now=now)


def _verified(staff, **options):
    created = create(staff, **options)
    verify(staff, code=created.code, now=options.get("now"))
    return created


def _expired_in_time(staff):
    """A twin whose code was issued 40 days ago: the expiry job finds its validity over."""
    twin = create(staff, now=timezone.now() - timedelta(days=40))
    assert flow.code_close_due() == 1
    return twin


def _lapsed_in_time(staff):
    """A twin verified 31 days ago: the expiry job finds its approval window over."""
    twin = _verified(staff, now=timezone.now() - timedelta(days=31))
    assert flow.code_close_due() == 1
    return twin


# Details that differ from one code (or e-mail) to the next, whenever it is issued.
PER_CODE = {"code": "…", "email_id": 0, "valid_until": "…"}


def _trail(group) -> list[tuple]:
    """The group's audit rows as 監査 lists them, the sandbox's own left out, and what
    differs between any two codes (the code, its date, the admin's address) blanked."""
    admin = User.objects.get(works_group=group)
    events = (
        AuditEvent.objects.filter(works_group=group)
        .exclude(action__startswith="SANDBOX_")
        .order_by("id")
    )
    return [
        (
            e.action,
            "admin" if e.actor_label == admin.email else e.actor_label,
            e.partner_id,
            {**e.details, **{key: PER_CODE[key] for key in PER_CODE if key in e.details}},
        )
        for e in events
    ]


def _emails(group) -> list[tuple]:
    admin = User.objects.get(works_group=group)
    return [
        (email.template, [("admin" if to == admin.email else to) for to in email.to])
        for email in OutboundEmail.objects.filter(works_group=group).order_by("id")
    ]


# 有効期限切れにする -------------------------------------------------------------------


def test_expire_moves_the_stored_end_of_validity_to_now_and_nothing_else(created, staff):
    before = PartnerCode.objects.values().get()
    now = timezone.now()

    code = expire(created.customer.works_group, staff, now=now)

    after = PartnerCode.objects.values().get()
    changed = {field for field in before if before[field] != after[field]}
    assert changed == {"expires_at", "status", "closed_at"}
    assert (code.expires_at, code.status, code.closed_at) == (now, "EXPIRED", now)


def test_after_expire_the_wizard_says_the_code_expired_as_it_would_have(created, staff):
    expire(created.customer.works_group, staff)
    twin = _expired_in_time(staff)

    for made in (created, twin):
        page = signed_in(made.admin_email, made.admin_password).get("/console/partner/contract/")
        notice = f"前回のパートナーコード（{made.code.masked}）は有効期間が過ぎました。"
        assert notice in page.text
        assert 'data-step="1"' in page.text


def test_after_expire_the_partners_verification_is_refused_as_expired(created, staff):
    expire(created.customer.works_group, staff)

    with refused(flow_errors.CodeExpired, flow_errors.CODE_EXPIRED):
        verify(staff, code=created.code, now=None)


def test_after_expire_the_audit_rows_are_those_of_an_expiry_in_time(created, staff):
    expire(created.customer.works_group, staff)
    twin = _expired_in_time(staff)

    trail = _trail(created.customer.works_group)
    assert trail == _trail(twin.customer.works_group)
    assert [action for action, *_ in trail] == ["CODE_ISSUED", "CODE_EXPIRED"]


def test_expire_is_audited_with_who_moved_the_date(created, staff):
    code = created.code
    now = timezone.now()

    expire(created.customer.works_group, staff, now=now)

    event = AuditEvent.objects.get(action=AuditEvent.Action.SANDBOX_CODE_EXPIRY_MOVED)
    assert (event.actor, event.partner, event.works_group) == (
        staff,
        staff.partner,
        created.customer.works_group,
    )
    assert event.details == {
        "via": "api",
        "code": code.masked,
        "from": event.details["from"],
        "to": now.isoformat(),
    }
    assert datetime.fromisoformat(event.details["from"]) == code.expires_at


def test_a_verified_code_cannot_be_expired_its_validity_no_longer_counts(staff):
    created = _verified(staff)

    with nothing_written(), refused(errors.WrongState, errors.ALREADY_VERIFIED):
        expire(created.customer.works_group, staff)


@pytest.mark.parametrize("state", ["no code", "already expired", "cancelled"])
def test_nothing_to_expire(staff, state):
    created = create(staff, issue_code=state != "no code")
    group, now = created.customer.works_group, None
    if state == "already expired":
        now = created.code.expires_at + timedelta(seconds=1)
    if state == "cancelled":
        flow.code_cancel(works_group=group, by=User.objects.get(works_group=group))

    with nothing_written(), refused(errors.WrongState, errors.NOTHING_TO_EXPIRE):
        expire(group, staff, now=now)


# 承認期限切れにする -------------------------------------------------------------------


def test_lapse_moves_the_stored_approval_deadline_to_now(staff):
    created = _verified(staff)
    now = timezone.now()

    code = lapse(created.customer.works_group, staff, now=now)

    code.refresh_from_db()
    assert (code.approve_by, code.status, code.closed_at) == (now, "LAPSED", now)


def test_after_lapse_the_wizard_and_the_partners_list_say_so_as_they_would_have(staff, login):
    created = _verified(staff)
    lapse(created.customer.works_group, staff)
    twin = _lapsed_in_time(staff)

    for made in (created, twin):
        page = signed_in(made.admin_email, made.admin_password).get("/console/partner/contract/")
        notice = (
            f"前回のパートナーコード（{made.code.masked}）は承認期限が過ぎたため無効になりました。"
        )
        assert notice in page.text
    rows = login(staff).get("/partner/").text
    assert rows.count("承認期限切れ") == 2


def test_after_lapse_both_sides_get_the_lapse_e_mails_as_they_would_have(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    created = _verified(staff)

    with django_capture_on_commit_callbacks(execute=True):
        lapse(created.customer.works_group, staff)

    assert [sorted(message.to) for message in mailoutbox] == [
        sorted([staff.email, created.admin_email])
    ]
    assert mailoutbox[0].subject == "承認期限が過ぎたため、パートナーコードが無効になりました。"
    twin = _lapsed_in_time(staff)
    emails = _emails(created.customer.works_group)
    assert emails == _emails(twin.customer.works_group)
    assert emails[-1] == ("code_lapsed", [staff.email, "admin"])


def test_after_lapse_the_audit_rows_are_those_of_a_lapse_in_time(staff):
    created = _verified(staff)
    lapse(created.customer.works_group, staff)
    twin = _lapsed_in_time(staff)

    trail = _trail(created.customer.works_group)
    assert trail == _trail(twin.customer.works_group)
    assert [action for action, *_ in trail] == [
        "CODE_ISSUED",
        "CODE_VERIFIED",
        "EMAIL_QUEUED",
        "CODE_LAPSED",
        "EMAIL_QUEUED",
    ]


def test_after_lapse_the_customers_approval_is_refused(staff):
    created = _verified(staff)
    group = created.customer.works_group

    lapse(group, staff)

    admin = User.objects.get(works_group=group)
    with refused(flow_errors.WrongState, flow_errors.NO_OPEN_CODE):
        flow.contract_complete(works_group=group, by=admin)


@pytest.mark.parametrize("state", ["no code", "issued only"])
def test_nothing_to_lapse(staff, state):
    created = create(staff, issue_code=state != "no code")

    with nothing_written(), refused(errors.WrongState, errors.NOTHING_TO_LAPSE):
        lapse(created.customer.works_group, staff)


# Only a sandbox's clock, only by who may ---------------------------------------------------


@pytest.mark.parametrize("move", [expire, lapse], ids=["expire", "lapse"])
def test_a_tenant_that_is_not_a_sandbox_never_has_its_clock_moved(move):
    code = PartnerCodeFactory(verified=move is lapse)
    operator = UserFactory(operator=True)

    with nothing_written(), refused(errors.NotSandbox, errors.NOT_SANDBOX):
        move(code.works_group, operator)
    with nothing_written(), refused(errors.NotSandbox, errors.NOT_SANDBOX):
        move(code.works_group, None)


@pytest.mark.parametrize("move", [expire, lapse], ids=["expire", "lapse"])
def test_moving_one_tenants_clock_leaves_every_other_code_as_it_was(staff, move):
    created = _verified(staff) if move is lapse else create(staff)
    others = [PartnerCodeFactory(), PartnerCodeFactory(verified=True), create(staff).code]
    before = list(PartnerCode.objects.filter(pk__in=[c.pk for c in others]).values())

    move(created.customer.works_group, staff)

    assert list(PartnerCode.objects.filter(pk__in=[c.pk for c in others]).values()) == before


@pytest.mark.parametrize("move", [expire, lapse], ids=["expire", "lapse"])
def test_another_partners_staff_cannot_move_the_clock(staff, other_staff, move):
    created = _verified(staff) if move is lapse else create(staff)

    with nothing_written(), refused(errors.CustomerNotFound, errors.CUSTOMER_NOT_FOUND):
        move(created.customer.works_group, other_staff)


def test_the_customers_own_super_admin_cannot_move_the_clock(created):
    admin = User.objects.get(works_group=created.customer.works_group)

    with nothing_written(), pytest.raises(errors.NotAllowed):
        expire(created.customer.works_group, admin)


def test_an_operator_moves_a_demo_groups_clock(demo):
    admin = User.objects.get(email="admin@mizl.example")
    flow.code_issue(works_group=demo["mizl"], by=admin)

    code = expire(demo["mizl"], demo["ops"])

    assert code.status == PartnerCode.Status.EXPIRED


def test_the_open_code_is_read_without_the_users(group):
    """As the customer's transitions read it (tests/perf/test_switch_queries.py): joined to
    the verifying staff member, PostgreSQL could merge-join the users' primary key from its
    start up to a staff member newer than its statistics (docs/PERFORMANCE.md)."""
    PartnerCodeFactory(works_group=group, verified=True)
    act = SandboxAct(group=group, owner=None, by=None, now=timezone.now())

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        code = services._open_code(act)

    assert code.status == PartnerCode.Status.VERIFIED
    [read] = queries.captured_queries
    assert "accounts_user" not in read["sql"]
