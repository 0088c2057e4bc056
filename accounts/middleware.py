from django.utils import timezone, translation


class TenantLocaleMiddleware:
    """Customers see their works group's 言語 and 利用地域; everyone else Japanese and Tokyo."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = "ja"
        user = request.user
        if user.is_authenticated and user.is_customer:
            info = user.works_group.company_info
            language = info.ui_language
            timezone.activate(info.tz)
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
