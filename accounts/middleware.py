from django.contrib.auth.middleware import get_user
from django.utils import timezone, translation

from .languages import request_language


class TenantLocaleMiddleware:
    """Customers see their works group's 言語 and 利用地域; partner staff and operators the
    language they chose, in Tokyo time; see accounts.languages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The signed-in user is needed here on every request, so it is loaded now (as the
        # lazy `request.user` of AuthenticationMiddleware would load it, the same cached
        # object) and set as itself: each of a page's ~50 reads of `request.user` or
        # `user` no longer goes through the lazy wrapper.
        request.user = user = get_user(request)
        language = request_language(request)
        if user.is_authenticated and user.is_customer:
            timezone.activate(user.works_group.company_info.tz)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The thread serves other users next: leave no group's locale behind.
            translation.deactivate()
            timezone.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
