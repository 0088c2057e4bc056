"""The flow's webhook events, recorded inside the transaction of the change they report.

Each names the customer as the partner knows it; the code is masked as in the audit log.
"""

from datetime import datetime

from django.utils import timezone

from accounts.models import Partner, User, WorksGroup
from webhooks.models import EventType
from webhooks.services import webhook_event_record

from ..models import PartnerCode, PartnerContract


def _customer(group: WorksGroup) -> dict:
    return {
        "domain": group.domain,
        "domainId": group.pk,
        "companyName": group.company_info.company_name,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.UTC).isoformat()


def _code_event(code: PartnerCode, *, type: str, now: datetime, **data) -> None:  # noqa: A002
    group = code.works_group
    webhook_event_record(
        type=type,
        partner=code.verified_partner,
        works_group=group,
        data={**_customer(group), "partnerCode": code.masked, **data},
        now=now,
    )


def code_event_verified(code: PartnerCode, *, staff: User, app: str | None, now: datetime) -> None:
    """code.verified: by which staff member, and through which app if the caller says so."""
    _code_event(
        code,
        type=EventType.CODE_VERIFIED,
        now=now,
        verifiedAt=_iso(code.verified_at),
        approveBy=_iso(code.approve_by),
        verifiedBy={"email": staff.email, "name": staff.name, "app": app},
    )


def code_event_declined(code: PartnerCode, *, now: datetime) -> None:
    _code_event(code, type=EventType.CODE_DECLINED, now=now, declinedAt=_iso(code.closed_at))


def code_event_lapsed(code: PartnerCode, *, now: datetime) -> None:
    _code_event(code, type=EventType.CODE_LAPSED, now=now, lapsedAt=_iso(code.closed_at))


def contract_event_completed(contract: PartnerContract, *, now: datetime) -> None:
    """switch.completed: the customer now buys through the partner."""
    group = contract.works_group
    webhook_event_record(
        type=EventType.SWITCH_COMPLETED,
        partner=contract.partner,
        works_group=group,
        data={
            **_customer(group),
            "partnerCode": contract.code.masked,
            "completedAt": _iso(contract.completed_at),
            "plan": group.plan,
            "seats": group.seats,
        },
        now=now,
    )


def customer_event_reset(
    *,
    works_group: WorksGroup,
    partner: Partner,
    code: PartnerCode | None = None,
    now: datetime | None = None,
) -> None:
    """sandbox.customer_reset: a sandbox customer of `partner` was reset. The sandbox calls
    this inside its reset's transaction (`code`: the code the partner had verified, if any)."""
    now = now or timezone.now()
    webhook_event_record(
        type=EventType.SANDBOX_CUSTOMER_RESET,
        partner=partner,
        works_group=works_group,
        data={
            **_customer(works_group),
            "partnerCode": code.masked if code else None,
            "resetAt": _iso(now),
        },
        now=now,
    )
