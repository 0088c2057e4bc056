"""The partner API, mounted at /api/v1/ (worksadmin/urls.py)."""

from functools import wraps

from django.conf import settings
from django.urls import URLPattern

from core import http

from .errors import method_not_allowed
from .main import api


def _json_405(view):
    """Ninja answers a wrong method with plain text; the API answers JSON everywhere."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != "application/json":
            return method_not_allowed(request, response["Allow"])
        return response

    return wrapper


app_name = "api"  # the namespace NinjaAPI(urls_namespace=...) reverses its own URLs in
# The document and the reference are plain views that would answer any method.
READ_ONLY = {"openapi-json", "openapi-view"}


def _get_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed(request, "GET")
        return view(request, *args, **kwargs)

    return wrapper


def _sandbox_only(view):
    """SANDBOX off: the sandbox's paths answer as any unknown /api/ path does, before the
    token is even looked at."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.SANDBOX:
            return http.error_response(404, http.NOT_FOUND, http.NO_SUCH_RESOURCE)
        return view(request, *args, **kwargs)

    return wrapper


def _view(pattern):
    view = _json_405(pattern.callback)
    if str(pattern.pattern).startswith("sandbox/"):
        view = _sandbox_only(view)
    return _get_only(view) if pattern.name in READ_ONLY else view


_patterns, _ninja, _namespace = api.urls
urlpatterns = [
    URLPattern(pattern.pattern, _view(pattern), pattern.default_args, pattern.name)
    for pattern in _patterns
]
