"""What a partner's staff (or its system, through the API) does: 顧客の取り込み."""

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AuditEvent, Partner, User, WorksGroup
from accounts.services import audit_record
from core import ratelimit
from core.prepared import PreparedList

from .. import errors
from ..codes import MalformedCode, normalize_code
from ..models import PartnerCode
from .events import code_event_verified
from .notices import customer_notify_verified


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


def code_preview(
    *,
    partner: Partner,
    staff: User,
    domain: str,
    raw_code: str,
    client_ip: str | None = None,
    api_app: str | None = None,
    now: datetime | None = None,
) -> Preview:
    """顧客の取り込み, first half: check the pair and show who the customer is. Writes nothing
    but a failed attempt.

    `api_app`: the client ID of the API app the call signed in as, if any (audited)."""
    now = now or timezone.now()
    with _attempt(staff=staff, domain=domain, client_ip=client_ip, api_app=api_app, now=now):
        code = _lookup(partner=partner, domain=domain, raw_code=raw_code, now=now, lock=False)
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


def code_verify(
    *,
    partner: Partner,
    staff: User,
    domain: str,
    raw_code: str,
    show_profile: bool,
    client_ip: str | None = None,
    api_app: str | None = None,
    now: datetime | None = None,
) -> PartnerCode:
    """Confirming 顧客の取り込み: the first partner to verify wins, every later attempt is refused.

    「パートナーがコード番号の認証を行った時点で、有効期間に関わらず上記コード番号の再利用は
    できなくなります。」 The customer's super admin is e-mailed to approve, and the partner's
    webhooks hear code.verified. An API app acts as the staff member who registered it; its
    client ID (`api_app`) is recorded in the audit trail and named in the event.
    """
    now = now or timezone.now()
    attempt = _attempt(staff=staff, domain=domain, client_ip=client_ip, api_app=api_app, now=now)
    with attempt, transaction.atomic():
        code = _lookup(partner=partner, domain=domain, raw_code=raw_code, now=now, lock=True)
        code.status = PartnerCode.Status.VERIFIED
        code.verified_at = now
        code.verified_by = staff
        code.verified_partner = partner
        code.approve_by = now + timedelta(days=settings.APPROVAL_WINDOW_DAYS)
        code.show_partner_profile = show_profile
        code.save(update_fields=VERIFIED_FIELDS)
        audit_record(
            action=AuditEvent.Action.CODE_VERIFIED,
            actor=staff,
            works_group=code.works_group,
            partner=partner,
            details={
                "code": code.masked,
                "show_partner_profile": show_profile,
                **_via(api_app),
            },
            now=now,
        )
        customer_notify_verified(code, staff=staff)
        code_event_verified(code, staff=staff, app=api_app, now=now)
        return code


# What a verification changes on the code (its row is locked): written alone.
VERIFIED_FIELDS = (
    "status",
    "verified_at",
    "verified_by",
    "verified_partner",
    "approve_by",
    "show_partner_profile",
)


def _via(api_app: str | None) -> dict:
    return {"api_app": api_app} if api_app else {}


@contextmanager
def _attempt(
    *, staff: User, domain: str, client_ip: str | None, api_app: str | None, now: datetime
) -> Iterator[None]:
    """A verification attempt under the rate limit: a failure inside is audited (after the
    attempt's own transaction has rolled back) and raised on.

    The attempt takes its place under the limit before anything is looked up, so a burst
    gets exactly VERIFY_RATE_LIMIT tries; only a wrong pair keeps its place. Every other
    outcome gives it back: a success; a malformed code (nothing is looked up, so it reveals
    nothing); and an expired, cancelled, used or other partner's code, which only the right
    pair reaches (「すでに認証済み」 after a lost race or a retry is not a guess).
    """
    if not staff.is_partner_staff:
        raise errors.NotAllowed(errors.NOT_PARTNER_STAFF)
    keys = _limit_keys(staff=staff, client_ip=client_ip)
    wait = ratelimit.acquire(
        keys, limit=settings.VERIFY_RATE_LIMIT, window=settings.VERIFY_RATE_WINDOW_SECONDS
    )
    if wait:
        raise errors.RateLimited(wait)
    counted = False
    try:
        yield
    except errors.VerificationFailed as exc:
        counted = isinstance(exc, errors.WrongPair)
        _audit_failed_attempt(staff=staff, domain=domain, error=exc, api_app=api_app, now=now)
        raise
    finally:
        if not counted:
            ratelimit.release(keys)


def _limit_keys(*, staff: User, client_ip: str | None) -> list[str]:
    """Per staff member, and per address within the partner: one partner's guesses never
    lock out another partner behind the same address (or the same proxy)."""
    keys = [f"verify-fail:user:{staff.pk}"]
    if client_ip:
        keys.append(f"verify-fail:address:{staff.partner_id}:{client_ip}")
    return keys


def _audit_failed_attempt(
    *, staff: User, domain: str, error: errors.FlowError, api_app: str | None, now: datetime
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
        details={"domain": domain[:64], "reason": error.code, **_via(api_app)},
        now=now,
    )


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


def _group_codes(domain: str) -> QuerySet[PartnerCode]:
    return PartnerCode.objects.filter(works_group__domain=domain).select_related(
        "works_group__company_info"
    )


# A group's codes, read (preview) or locked (verification); compiled once (core.prepared).
_GROUP_CODES = {
    False: PreparedList(_group_codes),
    True: PreparedList(lambda domain: _group_codes(domain).select_for_update(of=("self",))),
}


def _find_code(*, domain: str, code: str, lock: bool) -> PartnerCode | None:
    """The group's code equal to `code`, compared in constant time; None for a wrong pair."""
    match = None
    for candidate in _GROUP_CODES[lock].rows(0, None, domain=domain.strip().lower()):
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
