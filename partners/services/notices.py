"""The flow's e-mails, put in the outbox inside the transaction of the change they report."""

from accounts.models import User
from outbox.services import email_queue

from ..models import PartnerCode, PartnerContract


def customer_notify_verified(code: PartnerCode, *, staff: User) -> None:
    """E-mail 1: the super admin is asked to approve the partner that verified."""
    group = code.works_group
    admin = group.super_admin
    if admin is None:
        return
    email_queue(
        template="code_verified",
        to=[admin.email],
        context={"partner_name": code.verified_partner.name, "domain": group.domain},
        language=group.company_info.ui_language,
        actor=staff,
        works_group=group,
        partner=code.verified_partner,
    )


def contract_notify_completed(contract: PartnerContract, *, admin: User, by: User) -> None:
    """E-mail 2: the super admin and the verifying staff member hear that the switch is done."""
    group = contract.works_group
    info = group.company_info
    recipients = [admin.email]
    verified_by = contract.code.verified_by
    if verified_by and verified_by.email not in recipients:
        recipients.append(verified_by.email)
    email_queue(
        template="switch_completed",
        to=recipients,
        context={
            "company_name": info.company_name,
            "domain": group.domain,
            "partner_name": contract.partner.name,
            "completed_at": contract.completed_at.astimezone(info.tz).strftime("%Y-%m-%d %H:%M:%S"),
        },
        language=info.ui_language,
        actor=by,
        works_group=group,
        partner=contract.partner,
    )


def partner_notify(
    code: PartnerCode, *, template: str, actor: User | None, include_customer: bool = False
) -> None:
    """E-mail 3: the verifying partner hears that its verification was declined or lapsed."""
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
