"""Who may open which area. Anonymous visitors go to log in; other roles get 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(predicate):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


customer_required = role_required(lambda user: user.is_customer)
partner_staff_required = role_required(lambda user: user.is_partner_staff)
super_admin_required = role_required(lambda user: user.is_super_admin)
