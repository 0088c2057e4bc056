"""Writes to tenants: company info, and the audit trail every other service appends to."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed

from .models import AuditEvent, CompanyInfo, Partner, User, WorksGroup

NOT_SUPER_ADMIN = _("この操作は最高管理者のみ行えます。")


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    works_group: WorksGroup | None = None,
    partner: Partner | None = None,
    details: dict | None = None,
    now: datetime | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event; call it inside the transaction of the change it records.

    `actor_label` names an actor who is no user (the e-mail typed at a failed log-in)."""
    return AuditEvent.objects.create(
        created_at=now or timezone.now(),
        actor=actor,
        actor_label=actor_label or (actor.email if actor else "system"),
        works_group=works_group,
        partner=partner,
        action=action,
        details=details or {},
    )


def user_sessions_end(*, user: User) -> None:
    """End every session of `user`, in every browser, copies of signed cookies included:
    a new session generation changes the hash each session must match (User)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


def _changes(instance, values: dict) -> dict:
    changed = {}
    for field, value in values.items():
        old = getattr(instance, field)
        if old != value:
            changed[field] = [old, value]
            setattr(instance, field, value)
    return changed


def require_super_admin(by: User, works_group: WorksGroup) -> None:
    """Every write a customer makes is the super admin's of that very group."""
    if not (by.is_super_admin and by.works_group_id == works_group.pk):
        raise NotAllowed(NOT_SUPER_ADMIN)


@transaction.atomic
def company_info_update(
    *, works_group: WorksGroup, by: User, values: dict, admin_email: str | None = None
) -> CompanyInfo:
    """Save 会社情報 (and, from the partner wizard, 管理者のメールアドレス); audited.

    Only the group's super admin may write. `values` holds validated CompanyInfo fields.
    """
    require_super_admin(by, works_group)
    info = CompanyInfo.objects.select_for_update().get(works_group=works_group)
    changed = _changes(info, {k: v for k, v in values.items() if k in CompanyInfo.SETTINGS_FIELDS})
    info.full_clean()
    info.save()
    if admin_email is not None:
        admin = User.objects.select_for_update().get(pk=by.pk)
        email_change = _changes(admin, {"email": admin_email.lower()})
        if email_change:
            admin.full_clean(exclude=["password"])
            admin.save(update_fields=["email"])
            changed["admin_email"] = email_change["email"]
    audit_record(
        action=AuditEvent.Action.COMPANY_INFO_UPDATED,
        actor=by,
        works_group=works_group,
        details={"changed": sorted(changed)},
    )
    return info
