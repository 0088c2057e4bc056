"""The opening every action on an existing sandbox tenant shares, and what a reset or a
deletion removes."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, CompanyInfo, Partner, Role, User, WorksGroup
from accounts.services import NOT_SUPER_ADMIN, company_info_switched_to
from outbox.models import OutboundEmail
from partners.models import PartnerCode, PartnerContract
from webhooks.models import WebhookEvent

from . import errors
from .models import SandboxCustomer

# A reset removes the flow's audit rows; these stay, so 監査 always shows who made, reset
# or moved the tenant's clock, and who signed in.
KEPT_AUDIT_ACTIONS = [
    AuditEvent.Action.LOGIN,
    AuditEvent.Action.SANDBOX_CUSTOMER_CREATED,
    AuditEvent.Action.SANDBOX_RESET,
    AuditEvent.Action.SANDBOX_CODE_EXPIRY_MOVED,
    AuditEvent.Action.SANDBOX_APPROVAL_DEADLINE_MOVED,
]


@dataclass(frozen=True)
class SandboxAct:
    """One sandbox action in progress: the locked group, its owner (None for a demo group),
    who acts (None for the command line) and when."""

    group: WorksGroup
    owner: SandboxCustomer | None
    by: User | None
    now: datetime

    @property
    def partner(self) -> Partner | None:
        """The partner the audit row names: the acting staff's, else the owner's."""
        if self.by is not None and self.by.is_partner_staff:
            return self.by.partner
        return self.owner.partner if self.owner else None


@contextmanager
def sandbox_act(
    *, works_group: WorksGroup, by: User | None, now: datetime | None, customer_may: bool = False
) -> Iterator[SandboxAct]:
    require_enabled()
    now = now or timezone.now()
    with transaction.atomic():
        group = (
            WorksGroup.objects.select_for_update(no_key=True, of=("self",))
            .select_related("company_info")
            .filter(pk=works_group.pk)
            .first()
        )
        if group is None:  # deleted meanwhile
            raise errors.CustomerNotFound
        owner = SandboxCustomer.objects.select_related("partner").filter(works_group=group).first()
        _require_actor(by, group, owner, customer_may=customer_may)
        if not group.is_sandbox:
            raise errors.NotSandbox
        yield SandboxAct(group=group, owner=owner, by=by, now=now)


def require_enabled() -> None:
    if not settings.SANDBOX:
        raise errors.SandboxOff


def _require_actor(
    by: User | None, group: WorksGroup, owner: SandboxCustomer | None, *, customer_may: bool
) -> None:
    """Operators and the command line may act on any sandbox tenant; partner staff on their
    own partner's sandbox customers only (another partner's reads as unknown); a customer's
    super admin, where allowed, on its own group."""
    if by is None or by.role == Role.OPERATOR:
        return
    if by.is_partner_staff:
        if owner is None or owner.partner_id != by.partner_id:
            raise errors.CustomerNotFound
        if not owner.partner.is_active:
            raise errors.PartnerInactive
        return
    if customer_may and by.works_group_id == group.pk:
        if not by.is_super_admin:
            raise errors.NotAllowed(NOT_SUPER_ADMIN)
        return
    raise errors.NotAllowed(errors.NOT_ALLOWED)


def flow_rows_lock(group: WorksGroup) -> None:
    """Lock the group's codes, 会社情報 and members before anything is removed: a verification
    or a company-info save holding one of them finishes first (and its audit row and e-mail
    are removed with the rest); one still waiting finds its code gone, or saves after."""
    for rows in (
        PartnerCode.objects.filter(works_group=group),
        CompanyInfo.objects.filter(works_group=group),
        User.objects.filter(works_group=group),
    ):
        list(rows.select_for_update().values_list("pk"))


def partners_to_tell(group: WorksGroup, *, owner: Partner | None) -> dict:
    """{partner: the code it verified, or None} of every partner whose webhooks hear that the
    locked `group` is reset: the partner that made it (if any) and every partner whose
    verification the reset removes (the latest code it verified)."""
    told = {owner: None} if owner is not None else {}
    verified = (
        PartnerCode.objects.filter(works_group=group, verified_partner__isnull=False)
        .select_related("verified_partner")
        .order_by("verified_at")
    )
    for code in verified:
        told[code.verified_partner] = code
    return told


def flow_remove(group: WorksGroup) -> dict[str, int]:
    """Remove what the flow left on the locked `group`: its contract, codes, outbox rows, the
    flow's audit rows and the partners' webhook events about it (with their deliveries; one
    not yet sent never will be); returns how many of each."""
    company_info_switched_to(group, None)
    return {
        "webhook_events": WebhookEvent.objects.filter(works_group=group).delete()[0],
        "contracts": PartnerContract.objects.filter(works_group=group).delete()[0],
        "codes": PartnerCode.objects.filter(works_group=group).delete()[0],
        "emails": OutboundEmail.objects.filter(works_group=group).delete()[0],
        "audit_events": AuditEvent.objects.filter(works_group=group)
        .exclude(action__in=KEPT_AUDIT_ACTIONS)
        .delete()[0],
    }
