"""Every sandbox action: make a sandbox customer, reset a sandbox tenant, delete a sandbox
customer, move a sandbox code to the edge of its validity or of its approval window.

Each verb refuses when SANDBOX is off, reads the clock once, runs in one transaction, locks
the group's row as the customer's own transitions do (FOR NO KEY UPDATE, so a verification
inserting rows that reference the group never deadlocks against it), refuses any tenant that
is not a sandbox, and records who did it. The flow's own rules are not bent: a code is
issued by `code_issue`, and after a date is moved, expiry and lapse are recorded by the very
step `expire_codes` runs for each due code.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent, CompanyInfo, Partner, Plan, Role, User, WorksGroup
from accounts.services import audit_record
from partners.models import PartnerCode
from partners.services import code_issue
from partners.services.events import customer_event_reset
from partners.services.expiry import code_record_if_due

from . import errors
from .models import SandboxCustomer
from .starting import starting_state_get, starting_state_restore
from .tenant import (
    SandboxAct,
    flow_remove,
    flow_rows_lock,
    partners_to_tell,
    require_enabled,
    sandbox_act,
)


class Via:
    """Where a sandbox action came from, as its audit row says."""

    CONSOLE = "console"  # the super admin's reset button on the wizard
    PARTNER_CONSOLE = "partner_console"
    API = "api"
    OPS = "ops"
    COMMAND = "command"


DOMAIN_PREFIX = "sbx-"
DOMAIN_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes (l, o, 0, 1)
SANDBOX_APPS = ["talk", "calendar", "drive", "mail"]
ADMIN_NAME = "テスト 管理者"
MAX_SEATS = 9999
DOMAIN_ATTEMPTS = 5


@dataclass(frozen=True)
class CreatedCustomer:
    """A new sandbox customer and its log-in, whose password exists only here."""

    customer: SandboxCustomer
    admin_email: str
    admin_password: str
    code: PartnerCode | None


def sandbox_customer_create(
    *,
    partner: Partner,
    by: User,
    plan: str = Plan.FREE,
    seats: int = 10,
    issue_code: bool = True,
    via: str,
    now: datetime | None = None,
) -> CreatedCustomer:
    """「テスト顧客を作成」: a new sandbox works group with a unique domain, complete 会社情報,
    a super admin with a generated password, `plan` and `seats`, and (unless asked not to) a
    partner code already issued. At most SANDBOX_CUSTOMER_LIMIT live ones per partner."""
    require_enabled()
    now = now or timezone.now()
    if not (by.is_partner_staff and by.is_active and by.partner_id == partner.pk):
        raise errors.NotAllowed(errors.NOT_ALLOWED)
    if plan not in Plan.values or not 1 <= seats <= MAX_SEATS:
        raise errors.InvalidInput  # the form and the API's schema say which field first
    with transaction.atomic():
        # The partner's row serialises its creations, so the limit holds under concurrency.
        partner = Partner.objects.select_for_update(no_key=True).get(pk=partner.pk)
        if not partner.is_active:
            raise errors.PartnerInactive
        limit = settings.SANDBOX_CUSTOMER_LIMIT
        if SandboxCustomer.objects.filter(partner=partner).count() >= limit:
            raise errors.LimitReached(limit)
        group, info = _group_create(plan=plan, seats=seats, now=now)
        password = secrets.token_urlsafe(12)
        admin = User.objects.create_user(
            _admin_email(group.domain),
            password,
            role=Role.SUPER_ADMIN,
            works_group=group,
            name=ADMIN_NAME,
        )
        customer = SandboxCustomer.objects.create(
            works_group=group,
            partner=partner,
            created_by=by,
            created_at=now,
            plan=plan,
            seats=seats,
            apps=group.apps,
            company_info=info,
            admin_email=admin.email,
            admin_name=admin.name,
            admin_password_hash=admin.password,
            issue_code=issue_code,
        )
        code = code_issue(works_group=group, by=admin, now=now) if issue_code else None
        audit_record(
            action=AuditEvent.Action.SANDBOX_CUSTOMER_CREATED,
            actor=by,
            works_group=group,
            partner=partner,
            details={"via": via, "plan": plan, "seats": seats, "code_issued": issue_code},
            now=now,
        )
        return CreatedCustomer(
            customer=customer, admin_email=admin.email, admin_password=password, code=code
        )


def sandbox_tenant_reset(
    *, works_group: WorksGroup, by: User | None, via: str, now: datetime | None = None
) -> PartnerCode | None:
    """Back to the starting state: the group's codes, contract, outbox rows and the flow's
    audit rows (the partner's verification among them) are removed, the channel is direct
    again, 会社情報 and the members are as they started, and a sandbox customer made with a
    code gets a fresh one (returned). Allowed to an operator, the command line, the group's
    own super admin and the partner that made it."""
    with sandbox_act(works_group=works_group, by=by, now=now, customer_may=True) as act:
        start = starting_state_get(group=act.group, owner=act.owner)
        flow_rows_lock(act.group)
        told = partners_to_tell(act.group, owner=act.partner)
        removed = flow_remove(act.group)
        today = act.now.astimezone(act.group.company_info.tz).date()
        admin = starting_state_restore(group=act.group, start=start, today=today)
        code = (
            code_issue(works_group=act.group, by=admin, now=act.now) if start.issue_code else None
        )
        audit_record(
            action=AuditEvent.Action.SANDBOX_RESET,
            actor=by,
            works_group=act.group,
            partner=act.partner,
            details={"via": via, "removed": removed, "code_issued": code is not None},
            now=act.now,
        )
        for partner, verified in told.items():
            customer_event_reset(works_group=act.group, partner=partner, code=verified, now=act.now)
        return code


def sandbox_customer_delete(
    *, works_group: WorksGroup, by: User, via: str, now: datetime | None = None
) -> str:
    """Delete a sandbox customer a partner made, with everything of it; returns its domain.
    The deletion is recorded on the partner (the group's own audit rows go with it)."""
    with sandbox_act(works_group=works_group, by=by, now=now) as act:
        if act.owner is None:
            raise errors.NotDeletable
        group, owner = act.group, act.owner
        details = {
            "via": via,
            "domain": group.domain,
            "created_at": owner.created_at.isoformat(),
            "created_by": owner.created_by.email if owner.created_by else "",
        }
        partner = owner.partner
        flow_rows_lock(group)
        flow_remove(group)
        group.delete()
        audit_record(
            action=AuditEvent.Action.SANDBOX_CUSTOMER_DELETED,
            actor=by,
            partner=partner,
            details=details,
            now=act.now,
        )
        return details["domain"]


def sandbox_code_expire(
    *, works_group: WorksGroup, by: User | None, via: str, now: datetime | None = None
) -> PartnerCode:
    """「有効期限切れにする」: the open, unverified code's validity ends now. The expiry is then
    recorded as `expire_codes` records it, and every reader (the wizard, a partner's
    verification) sees an expired code."""
    with sandbox_act(works_group=works_group, by=by, now=now) as act:
        code = _open_code(act)
        if code is None:
            raise errors.WrongState(errors.NOTHING_TO_EXPIRE)
        if code.status != PartnerCode.Status.ISSUED:
            raise errors.WrongState(errors.ALREADY_VERIFIED)
        moved_from = code.expires_at
        code.expires_at = act.now
        code.save(update_fields=["expires_at"])
        _audit_move(act, code, AuditEvent.Action.SANDBOX_CODE_EXPIRY_MOVED, moved_from, via)
        code_record_if_due(code, act.now)
        return code


def sandbox_code_lapse(
    *, works_group: WorksGroup, by: User | None, via: str, now: datetime | None = None
) -> PartnerCode:
    """「承認期限切れにする」: the verified code's approval window closes now. The lapse is then
    recorded and both sides are e-mailed, as `expire_codes` does when the 30 days are over."""
    with sandbox_act(works_group=works_group, by=by, now=now) as act:
        code = _open_code(act)
        if code is None or code.status != PartnerCode.Status.VERIFIED:
            raise errors.WrongState(errors.NOTHING_TO_LAPSE)
        moved_from = code.approve_by
        code.approve_by = act.now
        code.save(update_fields=["approve_by"])
        _audit_move(act, code, AuditEvent.Action.SANDBOX_APPROVAL_DEADLINE_MOVED, moved_from, via)
        code_record_if_due(code, act.now)
        return code


def _open_code(act: SandboxAct) -> PartnerCode | None:
    """The group's open code, locked, unless its validity or approval window is already over
    (then there is nothing to move). Not joined to the verifying staff member, read only if a
    lapse e-mails them: as partners.services.customer_act explains, that join could walk the
    users' whole primary key."""
    code = (
        PartnerCode.objects.select_for_update(of=("self",))
        .select_related("works_group__company_info", "verified_partner")
        .filter(works_group=act.group, status__in=PartnerCode.OPEN_STATUSES)
        .first()
    )
    if code is None or code.status_at(act.now) != code.status:
        return None
    return code


def _audit_move(act: SandboxAct, code: PartnerCode, action: str, moved_from, via: str) -> None:
    audit_record(
        action=action,
        actor=act.by,
        works_group=act.group,
        partner=act.partner,
        details={
            "via": via,
            "code": code.masked,
            "from": moved_from.isoformat(),
            "to": act.now.isoformat(),
        },
        now=act.now,
    )


def _group_create(*, plan: str, seats: int, now: datetime) -> tuple[WorksGroup, dict]:
    """A new sandbox group under a fresh random domain (whose admin e-mail is free too),
    with complete 会社情報."""
    for _attempt in range(DOMAIN_ATTEMPTS):
        suffix = _domain_suffix()
        if User.objects.filter(email=_admin_email(DOMAIN_PREFIX + suffix)).exists():
            continue
        info = {
            **CompanyInfo.default_settings(),
            "group_name": f"テスト {suffix.upper()}",
            "company_name": f"テスト顧客 {suffix.upper()}",
            "phone": "03-0000-0000",
        }
        tz = CompanyInfo(time_zone=info["time_zone"]).tz
        try:
            with transaction.atomic():
                group = WorksGroup.objects.create(
                    domain=DOMAIN_PREFIX + suffix,
                    plan=plan,
                    seats=seats,
                    apps=list(SANDBOX_APPS),
                    is_sandbox=True,
                    # A customer that has bought directly since the 1st: the settlement shows.
                    billing_anchor=now.astimezone(tz).date().replace(day=1),
                )
        except IntegrityError:  # 32⁸ domains: a clash is a freak, and means another draw
            continue
        CompanyInfo.objects.create(works_group=group, **info)
        return group, info
    raise RuntimeError(f"no free sandbox domain in {DOMAIN_ATTEMPTS} draws")


def _domain_suffix() -> str:
    return "".join(secrets.choice(DOMAIN_ALPHABET) for _ in range(8))


def _admin_email(domain: str) -> str:
    return f"admin@{domain}.example"
