"""The flow's e-mails, put in the outbox inside the transaction of the change they report.

Each recipient reads an e-mail in their own language: the customer's super admin in the
group's 言語, partner staff in the language they chose (accounts.User.ui_language). When
one notice goes to both (completion, lapse) and their languages differ, each language gets
its own e-mail with the same facts: nobody gets a message in a language they did not choose,
and each keeps seeing who else was told in the audit trail.
"""

from accounts.models import Partner, User, WorksGroup
from outbox.services import email_queue

from ..models import PartnerCode, PartnerContract


def _notify(
    *,
    template: str,
    recipients: list[tuple[str, str]],
    context: dict,
    actor: User | None,
    works_group: WorksGroup,
    partner: Partner,
) -> None:
    """One e-mail per language of `recipients` ((address, language) pairs), in their order."""
    by_language: dict[str, list[str]] = {}
    for address, language in recipients:
        addresses = by_language.setdefault(language, [])
        if address not in addresses:
            addresses.append(address)
    for language, addresses in by_language.items():
        email_queue(
            template=template,
            to=addresses,
            context=context,
            language=language,
            actor=actor,
            works_group=works_group,
            partner=partner,
        )


def customer_notify_verified(code: PartnerCode, *, staff: User) -> None:
    """E-mail 1: the super admin is asked to approve the partner that verified."""
    group = code.works_group
    admin = group.super_admin
    if admin is None:
        return
    _notify(
        template="code_verified",
        recipients=[(admin.email, group.company_info.ui_language)],
        context={"partner_name": code.verified_partner.name, "domain": group.domain},
        actor=staff,
        works_group=group,
        partner=code.verified_partner,
    )


def contract_notify_completed(contract: PartnerContract, *, admin: User, by: User) -> None:
    """E-mail 2: the super admin and the verifying staff member hear that the switch is done."""
    group = contract.works_group
    info = group.company_info
    recipients = [(admin.email, info.ui_language)]
    verified_by = contract.code.verified_by
    if verified_by:
        recipients.append((verified_by.email, verified_by.ui_language))
    _notify(
        template="switch_completed",
        recipients=recipients,
        context={
            "company_name": info.company_name,
            "domain": group.domain,
            "partner_name": contract.partner.name,
            "completed_at": contract.completed_at.astimezone(info.tz).strftime("%Y-%m-%d %H:%M:%S"),
        },
        actor=by,
        works_group=group,
        partner=contract.partner,
    )


def partner_notify(
    code: PartnerCode, *, template: str, actor: User | None, include_customer: bool = False
) -> None:
    """E-mail 3: the verifying partner hears that its verification was declined or lapsed
    (a lapse is told to the customer's super admin too)."""
    group = code.works_group
    info = group.company_info
    staff = code.verified_by
    recipients = [(staff.email, staff.ui_language)]
    admin = group.super_admin
    if include_customer and admin is not None:
        recipients.append((admin.email, info.ui_language))
    _notify(
        template=template,
        recipients=recipients,
        context={
            "company_name": info.company_name,
            "domain": group.domain,
            "partner_name": code.verified_partner.name,
            "code": code.masked,
        },
        actor=actor,
        works_group=group,
        partner=code.verified_partner,
    )
