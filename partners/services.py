"""Every transition of the partner-contract flow.

Each verb takes keyword arguments, reads the clock once (`now`), runs in one transaction,
locks what it changes, checks the current state, writes, records audit events and puts
its e-mails in the outbox. The wizard, the partner page, the API and the management
commands all call these functions; nothing else writes partner codes or contracts.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent, Channel, Partner, User, WorksGroup
from accounts.services import audit_record, require_super_admin

from . import errors, ratelimit
from .codes import MalformedCode, code_expiry, generate_code, normalize_code
from .emails import email_queue
from .models import PartnerCode, PartnerContract
from .settlement import Settlement, settlement_until_yesterday

# -- customer side -----------------------------------------------------------------------


def _lock_group(works_group: WorksGroup) -> WorksGroup:
    """Serialise every customer-side transition of one group on its row.

    FOR NO KEY UPDATE, not FOR UPDATE: a verification or the expiry job inserting an audit
    event or an e-mail that references the group takes FOR KEY SHARE on it, and must not
    deadlock against a customer holding this lock.
    """
    group = WorksGroup.objects.select_for_update(no_key=True).get(pk=works_group.pk)
    if PartnerContract.objects.filter(works_group=group).exists():
        raise errors.AlreadyContracted
    return group


def _open_code(group: WorksGroup, now: datetime) -> PartnerCode | None:
    """The group's open code, after recording an expiry or lapse that is already due."""
    code = (
        PartnerCode.objects.select_for_update()
        .filter(works_group=group, status__in=PartnerCode.OPEN_STATUSES)
        .first()
    )
    if code is not None and _record_if_due(code, now):
        return None
    return code


def _create_code(
    *, group: WorksGroup, by: User, now: datetime, intended_partner: Partner | None
) -> PartnerCode:
    if intended_partner is not None and not intended_partner.is_active:
        raise errors.PartnerInactive
    code = PartnerCode.objects.create(
        works_group=group,
        code=generate_code(),
        issued_at=now,
        issued_by=by,
        expires_at=code_expiry(now, group.company_info.tz),
        intended_partner=intended_partner,
    )
    return code


@transaction.atomic
def issue_code(
    *,
    works_group: WorksGroup,
    by: User,
    intended_partner: Partner | None = None,
    now: datetime | None = None,
) -> PartnerCode:
    """コード発行: a new open code, valid through the same day next month (group's time zone).

    Refused when the group already has an open code or a contract.
    """
    now = now or timezone.now()
    require_super_admin(by, works_group)
    group = _lock_group(works_group)
    if _open_code(group, now) is not None:
        raise errors.WrongState(errors.CODE_ALREADY_OPEN)
    code = _create_code(group=group, by=by, now=now, intended_partner=intended_partner)
    audit_record(
        action=AuditEvent.Action.CODE_ISSUED,
        actor=by,
        works_group=group,
        partner=intended_partner,
        details={"code": code.masked, "valid_until": code.valid_until().isoformat()},
        now=now,
    )
    return code


@transaction.atomic
def reissue_code(*, works_group: WorksGroup, by: User, now: datetime | None = None) -> PartnerCode:
    """Cancel the unverified open code and issue a new one for the same partner, if any."""
    now = now or timezone.now()
    require_super_admin(by, works_group)
    group = _lock_group(works_group)
    old = _open_code(group, now)
    if old is None:
        raise errors.WrongState(errors.NO_OPEN_CODE)
    if old.status != PartnerCode.Status.ISSUED:
        raise errors.WrongState(errors.CODE_NOT_REISSUABLE)
    _close(old, PartnerCode.Status.CANCELLED, now, reason=PartnerCode.CancelReason.REISSUED)
    code = _create_code(group=group, by=by, now=now, intended_partner=old.intended_partner)
    audit_record(
        action=AuditEvent.Action.CODE_REISSUED,
        actor=by,
        works_group=group,
        details={"old_code": old.masked, "code": code.masked},
        now=now,
    )
    return code


@transaction.atomic
def cancel_code(*, works_group: WorksGroup, by: User, now: datetime | None = None) -> PartnerCode:
    """Withdraw an unverified code; the wizard returns to step 1."""
    now = now or timezone.now()
    require_super_admin(by, works_group)
    group = _lock_group(works_group)
    code = _open_code(group, now)
    if code is None:
        raise errors.WrongState(errors.NO_OPEN_CODE)
    if code.status != PartnerCode.Status.ISSUED:
        raise errors.WrongState(errors.CODE_NOT_REISSUABLE)
    _close(code, PartnerCode.Status.CANCELLED, now, reason=PartnerCode.CancelReason.CANCELLED)
    audit_record(
        action=AuditEvent.Action.CODE_CANCELLED,
        actor=by,
        works_group=group,
        details={"code": code.masked},
        now=now,
    )
    return code


def _verified_code(group: WorksGroup, now: datetime) -> PartnerCode:
    """The open code, if a partner has verified it and the approval window is still open."""
    code = _open_code(group, now)
    if code is None:
        raise errors.WrongState(errors.NO_OPEN_CODE)
    if code.status != PartnerCode.Status.VERIFIED:
        raise errors.WrongState(errors.NOT_VERIFIED)
    return code


@transaction.atomic
def decline_code(*, works_group: WorksGroup, by: User, now: datetime | None = None) -> PartnerCode:
    """The customer refuses the partner that verified (wrong partner); the partner is told."""
    now = now or timezone.now()
    require_super_admin(by, works_group)
    group = _lock_group(works_group)
    code = _verified_code(group, now)
    _close(code, PartnerCode.Status.CANCELLED, now, reason=PartnerCode.CancelReason.DECLINED)
    audit_record(
        action=AuditEvent.Action.CODE_DECLINED,
        actor=by,
        works_group=group,
        partner=code.verified_partner,
        details={"code": code.masked},
        now=now,
    )
    _notify_partner(code, template="code_declined", actor=by)
    return code


@transaction.atomic
def approval_check(
    *, works_group: WorksGroup, by: User, now: datetime | None = None
) -> PartnerCode:
    """承認: may this group's super admin go on to the company-info gate and the confirm
    dialog? Writes nothing."""
    now = now or timezone.now()
    require_super_admin(by, works_group)
    return _verified_code(_lock_group(works_group), now)


def settlement_for(works_group: WorksGroup, now: datetime) -> Settlement:
    return settlement_until_yesterday(
        plan=works_group.plan,
        seats=works_group.seats,
        billing_anchor=works_group.billing_anchor,
        today=now.astimezone(works_group.company_info.tz).date(),
    )


@transaction.atomic
def complete_switch(
    *, works_group: WorksGroup, by: User, now: datetime | None = None
) -> PartnerContract:
    """OK in the confirm dialog: the switch, all or nothing.

    Creates the contract with its settlement, marks the code USED, moves the group to the
    partner channel and e-mails the super admin and the verifying staff after commit.
    「パートナー契約への切り替え完了後は、操作の取り消しおよびパートナーの変更はできません。」
    """
    now = now or timezone.now()
    require_super_admin(by, works_group)
    group = _lock_group(works_group)
    code = _verified_code(group, now)
    info = group.company_info
    admin = group.super_admin
    if not info.is_complete(admin.email if admin else None):
        raise errors.CompanyInfoIncomplete
    settlement = settlement_for(group, now)
    partner = code.verified_partner
    try:
        with transaction.atomic():
            contract = PartnerContract.objects.create(
                works_group=group,
                partner=partner,
                code=code,
                completed_at=now,
                completed_by=by,
                company_name=info.company_name,
                group_name=info.group_name,
                settlement_plan=settlement.plan,
                settlement_seats=settlement.seats,
                settlement_unit_price=settlement.unit_price,
                settlement_period_start=settlement.period_start,
                settlement_period_end=settlement.period_end,
                settlement_subtotal=settlement.subtotal,
                settlement_tax=settlement.tax,
                settlement_total=settlement.total,
            )
    except IntegrityError as exc:  # a concurrent completion got there first
        raise errors.AlreadyContracted from exc
    _close(code, PartnerCode.Status.USED, now)
    group.channel = Channel.PARTNER
    group.partner = partner
    group.save(update_fields=["channel", "partner", "updated_at"])
    audit_record(
        action=AuditEvent.Action.SWITCH_COMPLETED,
        actor=by,
        works_group=group,
        partner=partner,
        details={"code": code.masked, "settlement_total": settlement.total},
        now=now,
    )
    recipients = [admin.email]
    if code.verified_by and code.verified_by.email not in recipients:
        recipients.append(code.verified_by.email)
    email_queue(
        template="switch_completed",
        to=recipients,
        context={
            "company_name": info.company_name,
            "domain": group.domain,
            "partner_name": partner.name,
            "completed_at": now.astimezone(info.tz).strftime("%Y-%m-%d %H:%M:%S"),
        },
        language=info.ui_language,
        actor=by,
        works_group=group,
        partner=partner,
    )
    return contract


# -- partner side ------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What partner staff see before confirming: enough to recognise the customer."""

    code: PartnerCode
    domain: str
    company_name: str
    group_name: str
    plan: str
    plan_label: str
    seats: int
    not_handled_apps: list[str]


def _find_code(*, domain: str, code: str, lock: bool) -> PartnerCode | None:
    """The group's code equal to `code`, compared in constant time; None for a wrong pair."""
    codes = PartnerCode.objects.filter(works_group__domain=domain.strip().lower())
    if lock:
        codes = codes.select_for_update(of=("self",))
    match = None
    for candidate in codes.select_related("works_group__company_info"):
        if hmac.compare_digest(candidate.code, code):
            match = candidate
    return match


def _check_verifiable(code: PartnerCode, partner: Partner, now: datetime) -> None:
    status = code.status_at(now)
    if status == PartnerCode.Status.EXPIRED:
        raise errors.CodeExpired
    if status == PartnerCode.Status.CANCELLED:
        raise errors.CodeCancelled
    if status != PartnerCode.Status.ISSUED:
        raise errors.CodeAlreadyUsed
    if code.intended_partner_id and code.intended_partner_id != partner.pk:
        raise errors.OtherPartnersCode


def _lookup(
    *, partner: Partner, domain: str, raw_code: str, now: datetime, lock: bool
) -> PartnerCode:
    if not partner.is_active:
        raise errors.PartnerInactive
    try:
        code_value = normalize_code(raw_code)
    except MalformedCode as exc:
        raise errors.MalformedCodeInput from exc
    code = _find_code(domain=domain, code=code_value, lock=lock)
    if code is None:
        raise errors.WrongPair
    _check_verifiable(code, partner, now)
    return code


def _attempt(*, staff: User, client_ip: str | None, now: datetime, domain: str, attempt):
    """Run a verification attempt under the rate limit; failures are counted and audited."""
    if not staff.is_partner_staff:
        raise errors.NotAllowed
    wait = ratelimit.seconds_until_allowed(user_id=staff.pk, client_ip=client_ip)
    if wait:
        raise errors.RateLimited(wait)
    try:
        return attempt()
    except errors.VerificationFailed as exc:
        ratelimit.record_failure(user_id=staff.pk, client_ip=client_ip)
        _audit_failed_attempt(staff=staff, domain=domain, error=exc, now=now)
        raise


def _audit_failed_attempt(
    *, staff: User, domain: str, error: errors.FlowError, now: datetime
) -> None:
    # Only a right pair (expired, cancelled, used) may name the group: a wrong pair
    # must not reveal whether the group exists, not even in its own audit log.
    group = None
    if not isinstance(error, (errors.WrongPair, errors.MalformedCodeInput)):
        group = WorksGroup.objects.filter(domain=domain.strip().lower()).first()
    audit_record(
        action=AuditEvent.Action.VERIFICATION_FAILED,
        actor=staff,
        partner=staff.partner,
        works_group=group,
        details={"domain": domain[:64], "reason": error.code},
        now=now,
    )


def preview_code(
    *,
    partner: Partner,
    staff: User,
    domain: str,
    raw_code: str,
    client_ip: str | None = None,
    now: datetime | None = None,
) -> Preview:
    """顧客の取り込み, first half: check the pair and show who the customer is. Writes nothing
    but a failed attempt."""
    now = now or timezone.now()

    def attempt() -> Preview:
        code = _lookup(partner=partner, domain=domain, raw_code=raw_code, now=now, lock=False)
        return _preview(code, partner)

    return _attempt(staff=staff, client_ip=client_ip, now=now, domain=domain, attempt=attempt)


def _preview(code: PartnerCode, partner: Partner) -> Preview:
    group = code.works_group
    handled = set(partner.handled_apps)
    return Preview(
        code=code,
        domain=group.domain,
        company_name=group.company_info.company_name,
        group_name=group.company_info.group_name,
        plan=group.plan,
        plan_label=group.get_plan_display(),
        seats=group.seats,
        not_handled_apps=[app for app in group.apps if app not in handled],
    )


def verify_code(
    *,
    partner: Partner,
    staff: User,
    domain: str,
    raw_code: str,
    show_profile: bool,
    client_ip: str | None = None,
    now: datetime | None = None,
) -> PartnerCode:
    """Confirming 顧客の取り込み: the first partner to verify wins, every later attempt is refused.

    「パートナーがコード番号の認証を行った時点で、有効期間に関わらず上記コード番号の再利用は
    できなくなります。」 The customer's super admin is e-mailed to approve.
    """
    now = now or timezone.now()

    @transaction.atomic
    def attempt() -> PartnerCode:
        code = _lookup(partner=partner, domain=domain, raw_code=raw_code, now=now, lock=True)
        code.status = PartnerCode.Status.VERIFIED
        code.verified_at = now
        code.verified_by = staff
        code.verified_partner = partner
        code.approve_by = now + timedelta(days=settings.APPROVAL_WINDOW_DAYS)
        code.show_partner_profile = show_profile
        code.save()
        group = code.works_group
        audit_record(
            action=AuditEvent.Action.CODE_VERIFIED,
            actor=staff,
            works_group=group,
            partner=partner,
            details={"code": code.masked, "show_partner_profile": show_profile},
            now=now,
        )
        admin = group.super_admin
        if admin is not None:
            email_queue(
                template="code_verified",
                to=[admin.email],
                context={"partner_name": partner.name, "domain": group.domain},
                language=group.company_info.ui_language,
                actor=staff,
                works_group=group,
                partner=partner,
            )
        return code

    return _attempt(staff=staff, client_ip=client_ip, now=now, domain=domain, attempt=attempt)


# -- time passing ------------------------------------------------------------------------


def _close(code: PartnerCode, status: str, now: datetime, *, reason: str = "") -> None:
    code.status = status
    code.closed_at = now
    code.cancel_reason = reason
    code.save(update_fields=["status", "closed_at", "cancel_reason"])


def _record_if_due(code: PartnerCode, now: datetime) -> bool:
    """Record an expiry or lapse that `now` has reached; True if the code closed."""
    due = code.status_at(now)
    if due == code.status:
        return False
    if due == PartnerCode.Status.EXPIRED:
        _close(code, due, code.expires_at)
        audit_record(
            action=AuditEvent.Action.CODE_EXPIRED,
            works_group=code.works_group,
            details={"code": code.masked},
            now=now,
        )
    else:
        _close(code, due, code.approve_by)
        audit_record(
            action=AuditEvent.Action.CODE_LAPSED,
            works_group=code.works_group,
            partner=code.verified_partner,
            details={"code": code.masked},
            now=now,
        )
        _notify_partner(code, template="code_lapsed", actor=None, include_customer=True)
    return True


def codes_record_expiry_and_lapse(*, now: datetime | None = None) -> int:
    """Record every expiry and lapse that is due and send the lapse notices; returns how many.

    Each code is closed in its own transaction so one failure cannot hold back the rest.
    """
    now = now or timezone.now()
    due = PartnerCode.objects.filter(
        status=PartnerCode.Status.ISSUED, expires_at__lte=now
    ) | PartnerCode.objects.filter(status=PartnerCode.Status.VERIFIED, approve_by__lte=now)
    closed = 0
    for code_id in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            code = PartnerCode.objects.select_for_update().get(pk=code_id)
            closed += _record_if_due(code, now)
    return closed


def _notify_partner(
    code: PartnerCode, *, template: str, actor: User | None, include_customer: bool = False
) -> None:
    group = code.works_group
    info = group.company_info
    recipients = [code.verified_by.email]
    admin = group.super_admin
    if include_customer and admin is not None:
        recipients.append(admin.email)
    email_queue(
        template=template,
        to=recipients,
        context={
            "company_name": info.company_name,
            "domain": group.domain,
            "partner_name": code.verified_partner.name,
            "code": code.masked,
        },
        language=info.ui_language,
        actor=actor,
        works_group=group,
        partner=code.verified_partner,
    )
