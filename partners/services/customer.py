"""What the customer's super admin does to the group's partner code, steps 1 to 3."""

from datetime import datetime

from accounts.models import AuditEvent, Partner, User, WorksGroup
from accounts.services import audit_record
from core.prepared import PreparedInsert

from .. import errors
from ..codes import code_expiry, generate_code
from ..models import PartnerCode
from .customer_act import CustomerAct, customer_act
from .events import code_event_declined
from .expiry import code_close
from .notices import partner_notify

_CODES = PreparedInsert(PartnerCode)


def code_issue(
    *,
    works_group: WorksGroup,
    by: User,
    intended_partner: Partner | None = None,
    now: datetime | None = None,
) -> PartnerCode:
    """コード発行: a new open code, valid through the same day next month (group's time zone).

    Refused when the group already has an open code or a contract.
    """
    with customer_act(works_group=works_group, by=by, now=now) as act:
        if act.open_code() is not None:
            raise errors.WrongState(errors.CODE_ALREADY_OPEN)
        code = _code_create(act, intended_partner=intended_partner)
        audit_record(
            action=AuditEvent.Action.CODE_ISSUED,
            actor=by,
            works_group=act.group,
            partner=intended_partner,
            details={"code": code.masked, "valid_until": code.valid_until().isoformat()},
            now=act.now,
        )
        return code


def code_reissue(*, works_group: WorksGroup, by: User, now: datetime | None = None) -> PartnerCode:
    """Cancel the unverified open code and issue a new one for the same partner, if any."""
    with customer_act(works_group=works_group, by=by, now=now) as act:
        old = _code_withdraw(act, reason=PartnerCode.CancelReason.REISSUED)
        code = _code_create(act, intended_partner=old.intended_partner)
        audit_record(
            action=AuditEvent.Action.CODE_REISSUED,
            actor=by,
            works_group=act.group,
            details={"old_code": old.masked, "code": code.masked},
            now=act.now,
        )
        return code


def code_cancel(*, works_group: WorksGroup, by: User, now: datetime | None = None) -> PartnerCode:
    """Withdraw an unverified code; the wizard returns to step 1."""
    with customer_act(works_group=works_group, by=by, now=now) as act:
        code = _code_withdraw(act, reason=PartnerCode.CancelReason.CANCELLED)
        audit_record(
            action=AuditEvent.Action.CODE_CANCELLED,
            actor=by,
            works_group=act.group,
            details={"code": code.masked},
            now=act.now,
        )
        return code


def code_decline(*, works_group: WorksGroup, by: User, now: datetime | None = None) -> PartnerCode:
    """The customer refuses the partner that verified (wrong partner); the partner is told."""
    with customer_act(works_group=works_group, by=by, now=now) as act:
        code = act.verified_code()
        code_close(
            code, PartnerCode.Status.CANCELLED, act.now, reason=PartnerCode.CancelReason.DECLINED
        )
        audit_record(
            action=AuditEvent.Action.CODE_DECLINED,
            actor=by,
            works_group=act.group,
            partner=code.verified_partner,
            details={"code": code.masked},
            now=act.now,
        )
        partner_notify(code, template="code_declined", actor=by)
        code_event_declined(code, now=act.now)
        return code


def code_approval_check(
    *, works_group: WorksGroup, by: User, now: datetime | None = None
) -> PartnerCode:
    """承認: may this group's super admin go on to the company-info gate and the confirm
    dialog? Writes nothing (but an expiry or lapse that is due)."""
    with customer_act(works_group=works_group, by=by, now=now) as act:
        return act.verified_code()


def _code_create(act: CustomerAct, *, intended_partner: Partner | None) -> PartnerCode:
    if intended_partner is not None and not intended_partner.is_active:
        raise errors.PartnerInactive
    return _CODES.create(
        works_group=act.group,
        code=generate_code(),
        issued_at=act.now,
        issued_by=act.by,
        expires_at=code_expiry(act.now, act.group.company_info.tz),
        intended_partner=intended_partner,
    )


def _code_withdraw(act: CustomerAct, *, reason: str) -> PartnerCode:
    """Cancel the open code while no partner has verified it (re-issue and cancel)."""
    code = act.require_open_code(
        status=PartnerCode.Status.ISSUED, refusal=errors.CODE_NOT_REISSUABLE
    )
    code_close(code, PartnerCode.Status.CANCELLED, act.now, reason=reason)
    return code
