"""Time passing: codes close when their validity or approval window ends.

Expiry and lapse hold on read (`PartnerCode.status_at`); these functions record them, once,
and send the lapse notices.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import audit_record

from ..models import PartnerCode
from .events import code_event_lapsed
from .notices import partner_notify


def code_close(code: PartnerCode, status: str, now: datetime, *, reason: str = "") -> None:
    code.status = status
    code.closed_at = now
    code.cancel_reason = reason
    code.save(update_fields=["status", "closed_at", "cancel_reason"])


def code_record_if_due(code: PartnerCode, now: datetime) -> bool:
    """Record an expiry or lapse that `now` has reached on the locked `code`; True if it closed."""
    due = code.status_at(now)
    if due == code.status:
        return False
    if due == PartnerCode.Status.EXPIRED:
        code_close(code, due, code.expires_at)
        audit_record(
            action=AuditEvent.Action.CODE_EXPIRED,
            works_group=code.works_group,
            details={"code": code.masked},
            now=now,
        )
    else:
        code_close(code, due, code.approve_by)
        audit_record(
            action=AuditEvent.Action.CODE_LAPSED,
            works_group=code.works_group,
            partner=code.verified_partner,
            details={"code": code.masked},
            now=now,
        )
        partner_notify(code, template="code_lapsed", actor=None, include_customer=True)
        code_event_lapsed(code, now=now)
    return True


def code_close_due(*, now: datetime | None = None) -> int:
    """Record every expiry and lapse that is due and send the lapse notices; returns how many.

    Each code is closed in its own transaction so one failure cannot hold back the rest.
    """
    now = now or timezone.now()
    due = PartnerCode.objects.filter(
        Q(status=PartnerCode.Status.ISSUED, expires_at__lte=now)
        | Q(status=PartnerCode.Status.VERIFIED, approve_by__lte=now)
    )
    closed = 0
    for code_id in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            code = PartnerCode.objects.select_for_update().get(pk=code_id)
            closed += code_record_if_due(code, now)
    return closed
