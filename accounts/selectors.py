"""Reads shared by the console pages."""

from core.prepared import BoundList, PreparedList

from .models import AuditEvent, User

# 監査's rows: the four columns shown, newest first (the index audit_group_recent), as dicts;
# the SQL built once per connection, with and without the action filter.
_AUDIT_ROWS = PreparedList(
    lambda works_group, **action: AuditEvent.objects.filter(
        works_group=works_group, **action
    ).values("created_at", "actor_label", "action", "details")
)


def audit_rows(*, works_group_id: int, action: str = "") -> BoundList:
    """The group's audit events, newest first, of one action if `action`: for a paginator."""
    return _AUDIT_ROWS.bind(works_group=works_group_id, **({"action": action} if action else {}))


def company_info_is_complete(user: User) -> bool:
    """Is the signed-in customer's 会社情報 complete (the setup banner, the wizard's gate)?

    When the signed-in user is the super admin, their own row is the one that counts, so
    the usual page asks the database nothing (the auth backend loaded the company info).
    """
    group = user.works_group
    admin = user if user.is_super_admin else group.super_admin
    return group.company_info.is_complete(admin.email if admin else None)
