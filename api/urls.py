"""The API app's URLs (namespace `api`), included at the site's root (worksadmin/urls.py):

- /api/v1/…: the partner API (Django Ninja), its OpenAPI document and its reference;
- /oauth2/v2.0/token: the token endpoint (a plain view: RFC 6749 form in, JSON out);
- /partner/apps/…: the partner console's API apps.
"""

from functools import wraps

from django.conf import settings
from django.urls import URLPattern, include, path

from core import http

from .errors import method_not_allowed
from .main import api
from .token_schemas import TOKEN_PATH
from .views import apps, oauth


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
API_PREFIX = "api/v1/"
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
# The partner API's own patterns, relative to API_PREFIX.
api_patterns = [
    URLPattern(pattern.pattern, _view(pattern), pattern.default_args, pattern.name)
    for pattern in _patterns
]

urlpatterns = [
    path(API_PREFIX, include(api_patterns)),
    path(TOKEN_PATH.lstrip("/"), oauth.token, name="oauth-token"),
    path("partner/apps/", apps.app_list, name="apps"),
    path("partner/apps/<int:pk>/secret/", apps.app_secret_regenerate, name="app-secret"),
    path("partner/apps/<int:pk>/key/", apps.app_key_regenerate, name="app-key"),
    path("partner/apps/<int:pk>/revoke/", apps.app_revoke, name="app-revoke"),
]
