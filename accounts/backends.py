from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from core.prepared import PreparedGet

from .models import User

# The query behind every signed-in request, compiled once per process (core/prepared.py).
_USER_WITH_TENANT = PreparedGet(
    User._default_manager.select_related("works_group__company_info", "partner")
)


class TenantModelBackend(ModelBackend):
    """Django's ModelBackend, loading the user's tenant in the same query.

    Every request reads `user.works_group.company_info` (language, time zone, the setup
    banner) or `user.partner`; joined here they cost one query instead of three, and the
    query's SQL is built once per process. The row is read on every request, so a
    deactivated user or a changed role takes effect on the very next one.
    """

    def get_user(self, user_id):
        try:
            user = _USER_WITH_TENANT.get(User._meta.pk.to_python(user_id))
        except ValidationError:
            return None
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
