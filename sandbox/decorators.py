"""SANDBOX off: every sandbox page is gone, whoever asks (a 404 before any log-in check)."""

from functools import wraps

from django.conf import settings
from django.http import Http404


def sandbox_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.SANDBOX:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
