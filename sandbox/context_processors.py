"""What every page may need to know of the sandbox, without the apps below it importing it."""

from django.conf import settings


def sandbox(request) -> dict:
    """`sandbox_enabled` for the partner console's menu; `sandbox_reset_offered` for the
    wizard's reset button: SANDBOX is on and the signed-in user is the super admin of a
    sandbox tenant (the group comes with the user: no query)."""
    user = getattr(request, "user", None)
    offered = bool(
        settings.SANDBOX
        and user is not None
        and user.is_authenticated
        and user.is_super_admin
        and user.works_group.is_sandbox
    )
    return {"sandbox_enabled": settings.SANDBOX, "sandbox_reset_offered": offered}
