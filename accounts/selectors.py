"""Reads shared by the console pages."""

from .models import User


def company_info_is_complete(user: User) -> bool:
    """Is the signed-in customer's 会社情報 complete (the setup banner, the wizard's gate)?

    When the signed-in user is the super admin, their own row is the one that counts, so
    the usual page asks the database nothing (the auth backend loaded the company info).
    """
    group = user.works_group
    admin = user if user.is_super_admin else group.super_admin
    return group.company_info.is_complete(admin.email if admin else None)
