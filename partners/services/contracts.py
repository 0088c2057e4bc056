"""Step 4: the switch to the partner contract, all or nothing."""

from datetime import datetime

from django.db import IntegrityError

from accounts.models import AuditEvent, Channel, User, WorksGroup
from accounts.services import audit_record, company_info_switched_to
from core.prepared import PreparedInsert

from .. import errors
from ..models import PartnerCode, PartnerContract
from ..selectors import settlement_get
from .customer_act import customer_act
from .events import contract_event_completed
from .expiry import code_close
from .notices import contract_notify_completed

_CONTRACTS = PreparedInsert(PartnerContract)


def contract_complete(
    *, works_group: WorksGroup, by: User, now: datetime | None = None
) -> PartnerContract:
    """OK in the confirm dialog: the switch, all or nothing.

    Creates the contract with its settlement, marks the code USED, moves the group to the
    partner channel and e-mails the super admin and the verifying staff after commit.
    「パートナー契約への切り替え完了後は、操作の取り消しおよびパートナーの変更はできません。」
    """
    with customer_act(works_group=works_group, by=by, now=now) as act:
        group, code = act.group, act.verified_code()
        # Read from the locked group, not from what the request loaded earlier: a gate
        # save committed meanwhile counts.
        admin = group.super_admin
        if not group.company_info.is_complete(admin.email if admin else None):
            raise errors.CompanyInfoIncomplete
        contract = PartnerContract.from_settlement(
            settlement_get(works_group=group, now=act.now),
            works_group=group,
            code=code,
            completed_at=act.now,
            completed_by=by,
        )
        try:
            _CONTRACTS.insert(contract)
        except IntegrityError as exc:  # a contract made outside this lock; all is rolled back
            raise errors.AlreadyContracted from exc
        code_close(code, PartnerCode.Status.USED, act.now)
        group.channel = Channel.PARTNER
        group.partner = contract.partner
        group.save(update_fields=["channel", "partner", "updated_at"])
        company_info_switched_to(group, contract.partner)
        audit_record(
            action=AuditEvent.Action.SWITCH_COMPLETED,
            actor=by,
            works_group=group,
            partner=contract.partner,
            details={"code": code.masked, "settlement_total": contract.settlement_total},
            now=act.now,
        )
        contract_notify_completed(contract, admin=admin, by=by)
        contract_event_completed(contract, now=act.now)
        return contract
